SELECT TOP (1) database_name, backup_finish_date, CAST(type AS nvarchar(1)) AS type
FROM msdb.dbo.backupset
WHERE database_name = N'SSISDB' AND type = 'D'
ORDER BY backup_finish_date DESC;
