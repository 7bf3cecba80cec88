SELECT ag.name AS ag_name, ag.group_id, adc.database_name
FROM sys.availability_groups AS ag
JOIN sys.availability_databases_cluster AS adc ON adc.group_id = ag.group_id
WHERE adc.database_name = N'SSISDB';
