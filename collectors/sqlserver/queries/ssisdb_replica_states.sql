SELECT ar.replica_server_name, drs.is_local, drs.is_primary_replica, drs.synchronization_state_desc,
       drs.synchronization_health_desc, drs.database_state_desc
FROM sys.dm_hadr_database_replica_states AS drs
JOIN sys.availability_replicas AS ar ON ar.replica_id = drs.replica_id
WHERE drs.database_id = DB_ID(N'SSISDB');
