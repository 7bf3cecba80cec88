SELECT name, sid, type_desc, is_disabled
FROM sys.server_principals
WHERE name IN (N'##MS_SSISLogDBWorkerAgentLogin##', N'##MS_SQLEnableSystemAssemblyLoadingUser##',
               N'##MS_SSISServerCleanupJobLogin##')
   OR CHARINDEX(N'|' + name + N'|', @accounts) > 0;
