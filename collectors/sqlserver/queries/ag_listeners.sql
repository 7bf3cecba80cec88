SELECT ag.name AS ag_name, l.dns_name, l.port, lip.ip_address, lip.state_desc AS ip_state_desc
FROM sys.availability_group_listeners AS l
JOIN sys.availability_groups AS ag ON ag.group_id = l.group_id
LEFT JOIN sys.availability_group_listener_ip_addresses AS lip ON lip.listener_id = l.listener_id;
