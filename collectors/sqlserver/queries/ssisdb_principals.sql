SELECT dp.name, dp.sid, dp.type_desc, r.name AS role_name
FROM SSISDB.sys.database_principals AS dp
LEFT JOIN SSISDB.sys.database_role_members AS rm ON rm.member_principal_id = dp.principal_id
LEFT JOIN SSISDB.sys.database_principals AS r ON r.principal_id = rm.role_principal_id
WHERE dp.name = N'##MS_SSISLogDBWorkerAgentUser##'
   OR r.name IN (N'ssis_admin', N'ssis_cluster_worker', N'ssis_cluster_executor');
