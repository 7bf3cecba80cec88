-- deliberately broken: the grammar check must reject this file
IF EXISTS (SELECT 1 FROM sys.server_principals WHERE
GO
SELECT N'x'; DROP LOGIN x;
GO
