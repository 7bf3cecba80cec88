SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS ServerName,
       CAST(SERVERPROPERTY('ComputerNamePhysicalNetBIOS') AS nvarchar(256)) AS ComputerNamePhysicalNetBIOS,
       CAST(SERVERPROPERTY('MachineName') AS nvarchar(256)) AS MachineName,
       CAST(SERVERPROPERTY('InstanceName') AS nvarchar(256)) AS InstanceName,
       CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS ProductVersion,
       CAST(SERVERPROPERTY('ProductMajorVersion') AS nvarchar(128)) AS ProductMajorVersion,
       CAST(SERVERPROPERTY('IsHadrEnabled') AS int) AS IsHadrEnabled,
       CAST(SERVERPROPERTY('IsIntegratedSecurityOnly') AS int) AS IsIntegratedSecurityOnly,
       CAST(SERVERPROPERTY('IsClustered') AS int) AS IsClustered;
