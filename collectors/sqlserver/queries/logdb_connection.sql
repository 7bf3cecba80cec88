DECLARE @cs nvarchar(max);
EXEC SSISDB.internal.get_log_dbconnection @connection_string = @cs OUTPUT;
SELECT @cs AS connection_string;
