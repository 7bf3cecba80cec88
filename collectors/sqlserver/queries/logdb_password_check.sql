SELECT name AS login_name, PWDCOMPARE(@password, password_hash) AS password_matches
FROM sys.sql_logins
WHERE name = @login;
