SELECT name, is_master_key_encrypted_by_server, replica_id, state_desc
FROM sys.databases
WHERE name = N'SSISDB';
