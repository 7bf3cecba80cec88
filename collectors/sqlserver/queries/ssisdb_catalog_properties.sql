SELECT property_name, property_value
FROM SSISDB.catalog.catalog_properties
WHERE property_name IN (N'IS_SCALEOUT_ENABLED', N'SCHEMA_VERSION', N'SCHEMA_BUILD', N'DEFAULT_EXECUTION_MODE');
