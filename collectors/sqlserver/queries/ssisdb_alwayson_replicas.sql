SELECT server_name, state
FROM SSISDB.catalog.alwayson_replicas;
