SELECT property_name, property_value
FROM SSISDB.catalog.master_properties;
