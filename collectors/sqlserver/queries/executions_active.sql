SELECT COUNT(*) AS active_count
FROM SSISDB.catalog.executions
WHERE status IN (2, 5);
