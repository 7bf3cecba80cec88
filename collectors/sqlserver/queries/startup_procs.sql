SELECT name, is_auto_executed AS is_startup
FROM master.sys.procedures
WHERE name = N'sp_ssis_startup';
