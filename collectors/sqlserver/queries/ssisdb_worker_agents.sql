SELECT WorkerAgentId, IsEnabled, DisplayName, MachineName, UserAccount, LastOnlineTime
FROM SSISDB.catalog.worker_agents;
