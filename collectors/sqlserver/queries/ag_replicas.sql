SELECT ag.name AS ag_name, ar.replica_server_name, ar.endpoint_url, ar.availability_mode_desc,
       ar.failover_mode_desc, rs.role_desc, rs.connected_state_desc, rs.synchronization_health_desc
FROM sys.availability_replicas AS ar
JOIN sys.availability_groups AS ag ON ag.group_id = ar.group_id
LEFT JOIN sys.dm_hadr_availability_replica_states AS rs ON rs.replica_id = ar.replica_id;
