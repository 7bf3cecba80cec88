SELECT name, is_policy_checked, is_expiration_checked,
       CAST(LOGINPROPERTY(name, 'IsExpired') AS int) AS is_expired,
       CAST(LOGINPROPERTY(name, 'IsLocked') AS int) AS is_locked,
       CAST(LOGINPROPERTY(name, 'PasswordLastSetTime') AS datetime) AS password_last_set_time
FROM sys.sql_logins
WHERE name = N'##MS_SSISLogDBWorkerAgentLogin##';
