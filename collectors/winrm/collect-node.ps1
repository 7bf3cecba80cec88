# collect-node.ps1 - ssis-ha-lint node fact pack (Windows PowerShell 5.1).
#
# Read-only: gathers one node's SSIS Scale Out HA facts and prints ONE JSON
# document (format "ssis-ha-lint-node", version 1; see collectors/nodebundle)
# as base64 of its UTF-8 bytes between the lines SSISHALINT-BEGIN and
# SSISHALINT-END, so console code pages and stray output cannot corrupt it.
# File contents and certificate DER are base64 inside the document. No
# private key is ever read or exported. Every section that fails is listed in
# Errors with its reason; the other sections are still collected.

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'

$script:errs = New-Object System.Collections.ArrayList

function Add-Err {
  param([string]$Artifact, $Err)
  $msg = $Err
  if ($Err -is [System.Management.Automation.ErrorRecord]) { $msg = $Err.Exception.Message }
  [void]$script:errs.Add([ordered]@{ Artifact = $Artifact; Error = [string]$msg })
}

function ConvertTo-UtcText {
  param($Date)
  if ($null -eq $Date) { return $null }
  return ([datetime]$Date).ToUniversalTime().ToString('o')
}

function Get-Sha256Hex {
  param([byte[]]$Bytes)
  $sha = [System.Security.Cryptography.SHA256]::Create()
  try {
    $hash = $sha.ComputeHash($Bytes)
  } finally {
    $sha.Dispose()
  }
  return ([System.BitConverter]::ToString($hash)).Replace('-', '')
}

$doc = [ordered]@{
  Format       = 'ssis-ha-lint-node'
  Version      = 1
  ComputerName = [string]$env:COMPUTERNAME
  Host         = $null
  Services     = $null
  Stores       = @()
  Files        = $null
  Registry     = $null
  HttpSys      = $null
  Firewall     = $null
  Cluster      = $null
  Errors       = @()
}

# ---- host (Win32_ComputerSystem / Win32_OperatingSystem) ----
try {
  $cs = Get-CimInstance -ClassName Win32_ComputerSystem
  $os = Get-CimInstance -ClassName Win32_OperatingSystem
  $doc.Host = [ordered]@{
    ComputerName = [string]$cs.Name
    DNSHostName  = [string]$cs.DNSHostName
    Domain       = [string]$cs.Domain
    PartOfDomain = [bool]$cs.PartOfDomain
    Caption      = [string]$os.Caption
    Version      = [string]$os.Version
    CollectedUtc = (Get-Date).ToUniversalTime().ToString('o')
  }
} catch {
  Add-Err 'host' $_
}

# ---- services (Win32_Service rows) ----
$serviceNames = @()
try {
  $filter = 'Name LIKE ''SSISScaleOutMaster%'' OR Name LIKE ''SSISScaleOutWorker%'' OR Name LIKE ''MsDtsServer%'' OR Name = ''MSSQLSERVER'' OR Name LIKE ''MSSQL$%'' OR Name = ''ClusSvc'' OR Name = ''RemoteRegistry'''
  $rows = New-Object System.Collections.ArrayList
  foreach ($s in @(Get-CimInstance -ClassName Win32_Service -Filter $filter)) {
    $start = $null
    if ($s.ProcessId -gt 0) {
      try {
        $p = Get-CimInstance -ClassName Win32_Process -Filter ('ProcessId = ' + [int]$s.ProcessId)
        if ($p) { $start = ConvertTo-UtcText $p.CreationDate }
      } catch { }
    }
    $serviceNames += [string]$s.Name
    [void]$rows.Add([ordered]@{
      Name            = [string]$s.Name
      DisplayName     = [string]$s.DisplayName
      StartName       = [string]$s.StartName
      StartMode       = [string]$s.StartMode
      State           = [string]$s.State
      ProcessId       = [int]$s.ProcessId
      PathName        = [string]$s.PathName
      ProcessStartUtc = $start
    })
  }
  $doc.Services = @($rows)
} catch {
  Add-Err 'services' $_
}

# ---- config files under <ProgramFiles>\Microsoft SQL Server\<VER>\DTS\Binn ----
$versions = New-Object System.Collections.ArrayList
$workerStores = New-Object System.Collections.ArrayList
try {
  $files = New-Object System.Collections.ArrayList
  $roots = @($env:ProgramW6432, $env:ProgramFiles) | Where-Object { $_ } | Select-Object -Unique
  foreach ($root in $roots) {
    $base = Join-Path $root 'Microsoft SQL Server'
    if (-not (Test-Path -LiteralPath $base -PathType Container)) { continue }
    foreach ($dir in @(Get-ChildItem -LiteralPath $base -Directory | Where-Object { $_.Name -match '^\d{3}$' })) {
      if (-not $versions.Contains($dir.Name)) { [void]$versions.Add($dir.Name) }
      foreach ($name in @('MasterSettings.config', 'WorkerSettings.config')) {
        $path = Join-Path $dir.FullName (Join-Path 'DTS\Binn' $name)
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { continue }
        try {
          $item = Get-Item -LiteralPath $path
          $bytes = [System.IO.File]::ReadAllBytes($path)
          [void]$files.Add([ordered]@{
            Name         = $name
            Path         = $item.FullName
            Size         = $bytes.Length
            LastWriteUtc = ConvertTo-UtcText $item.LastWriteTimeUtc
            Sha256       = Get-Sha256Hex $bytes
            Data         = [System.Convert]::ToBase64String($bytes)
          })
          if ($name -eq 'WorkerSettings.config') {
            $text = [System.Text.Encoding]::UTF8.GetString($bytes)
            $loc = 'LocalMachine'
            $store = 'My'
            $m = [regex]::Match($text, '(?i)"StoreLocation"\s*:\s*"([^"]*)"|key\s*=\s*"StoreLocation"\s+value\s*=\s*"([^"]*)"')
            if ($m.Success) {
              $v = ($m.Groups[1].Value + $m.Groups[2].Value).Trim()
              if ($v -eq 'CurrentUser') { $loc = 'CurrentUser' }
            }
            $m = [regex]::Match($text, '(?i)"StoreName"\s*:\s*"([^"]*)"|key\s*=\s*"StoreName"\s+value\s*=\s*"([^"]*)"')
            if ($m.Success) {
              $v = ($m.Groups[1].Value + $m.Groups[2].Value).Trim()
              if ($v -match '^[A-Za-z][A-Za-z0-9 _-]{0,63}$') { $store = $v }
            }
            [void]$workerStores.Add(@($loc, $store))
          }
        } catch {
          Add-Err ('files/' + $name) $_
        }
      }
    }
  }
  $doc.Files = @($files)
} catch {
  Add-Err 'files' $_
}

# ---- registry (read-only) ----
function Read-RegValues {
  param([string]$SubKey, [string[]]$Names)
  $key = Get-Item -LiteralPath ('Registry::HKEY_LOCAL_MACHINE\' + $SubKey) -ErrorAction SilentlyContinue
  if ($null -eq $key) { return $null }
  $vals = [ordered]@{}
  $present = @($key.GetValueNames())
  foreach ($n in $Names) {
    if ($present -contains $n) {
      $v = $key.GetValue($n)
      if ($v -is [byte[]]) { $v = '0x' + ([System.BitConverter]::ToString($v)).Replace('-', '') }
      $vals[$n] = $v
    }
  }
  return $vals
}
try {
  $reg = [ordered]@{}
  $sch = Read-RegValues 'SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL' @('SendTrustedIssuerList', 'ClientAuthTrustMode')
  if ($null -ne $sch) { $reg['HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL'] = $sch }
  $sqlKey = Get-Item -LiteralPath 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Microsoft SQL Server' -ErrorAction SilentlyContinue
  if ($sqlKey) {
    foreach ($sub in @($sqlKey.GetSubKeyNames())) {
      if ($sub -match '^\d{3}$' -and -not $versions.Contains($sub)) { [void]$versions.Add($sub) }
    }
  }
  foreach ($ver in @($versions | Sort-Object)) {
    foreach ($feature in @('SQL_IS_Master', 'SQL_IS_Worker')) {
      $sub = 'SOFTWARE\Microsoft\Microsoft SQL Server\' + $ver + '\DTS\Setup\' + $feature
      $vals = Read-RegValues $sub @('Version')
      if ($null -ne $vals) { $reg['HKLM\' + $sub] = $vals }
    }
  }
  $doc.Registry = $reg
} catch {
  Add-Err 'registry' $_
}

# ---- certificates: LocalMachine\My, LocalMachine\Root, each worker's store ----
function Get-KeyReaders {
  param($Cert)
  $file = $null
  try {
    $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Cert)
    if ($rsa -is [System.Security.Cryptography.RSACng]) {
      $file = Join-Path $env:ProgramData ('Microsoft\Crypto\Keys\' + $rsa.Key.UniqueName)
    } elseif ($rsa -is [System.Security.Cryptography.RSACryptoServiceProvider]) {
      $file = Join-Path $env:ProgramData ('Microsoft\Crypto\RSA\MachineKeys\' + $rsa.CspKeyContainerInfo.UniqueKeyContainerName)
    }
  } catch {
    return $null
  }
  if (-not $file -or -not (Test-Path -LiteralPath $file)) { return $null }
  $readers = @()
  foreach ($ace in @((Get-Acl -LiteralPath $file).Access)) {
    if ([string]$ace.AccessControlType -eq 'Allow' -and ([string]$ace.FileSystemRights -match 'Read|FullControl|Modify')) {
      $readers += [string]$ace.IdentityReference
    }
  }
  return @($readers | Select-Object -Unique)
}

$stores = New-Object System.Collections.ArrayList
[void]$stores.Add(@('LocalMachine', 'My'))
[void]$stores.Add(@('LocalMachine', 'Root'))
foreach ($ws in $workerStores) {
  $dup = $false
  foreach ($s in $stores) { if ($s[0] -eq $ws[0] -and $s[1] -eq $ws[1]) { $dup = $true } }
  if (-not $dup) { [void]$stores.Add($ws) }
}
$storeDocs = New-Object System.Collections.ArrayList
foreach ($s in $stores) {
  $loc = $s[0]
  $name = $s[1]
  try {
    $st = New-Object System.Security.Cryptography.X509Certificates.X509Store($name, [System.Security.Cryptography.X509Certificates.StoreLocation]$loc)
    $st.Open([System.Security.Cryptography.X509Certificates.OpenFlags]'ReadOnly, OpenExistingOnly')
    try {
      $certs = New-Object System.Collections.ArrayList
      foreach ($c in $st.Certificates) {
        $readers = $null
        if ($c.HasPrivateKey) { $readers = Get-KeyReaders $c }
        [void]$certs.Add([ordered]@{
          Der               = [System.Convert]::ToBase64String($c.RawData)
          HasPrivateKey     = [bool]$c.HasPrivateKey
          FriendlyName      = [string]$c.FriendlyName
          PrivateKeyReaders = $readers
        })
      }
      [void]$storeDocs.Add([ordered]@{ Location = $loc; Store = $name; Certs = @($certs) })
    } finally {
      $st.Close()
    }
  } catch {
    Add-Err ('certs/' + $loc + '/' + $name) $_
  }
}
$doc.Stores = @($storeDocs)

# ---- HTTP.SYS bindings ----
try {
  $out = & netsh.exe http show sslcert 2>&1 | Out-String
  if ($LASTEXITCODE -ne 0) { throw ('netsh exited with ' + $LASTEXITCODE + ': ' + $out.Trim()) }
  $doc.HttpSys = $out
} catch {
  Add-Err 'httpsys' $_
}

# ---- inbound allow firewall rules with their ports ----
try {
  $rows = New-Object System.Collections.ArrayList
  $filters = @{}
  foreach ($f in @(Get-NetFirewallPortFilter -All)) { $filters[[string]$f.InstanceID] = $f }
  foreach ($r in @(Get-NetFirewallRule -Direction Inbound -Action Allow)) {
    $pf = $filters[[string]$r.InstanceID]
    if ($null -eq $pf) { $pf = $r | Get-NetFirewallPortFilter }
    [void]$rows.Add([ordered]@{
      DisplayName = [string]$r.DisplayName
      Enabled     = ([string]$r.Enabled -eq 'True')
      Direction   = [string]$r.Direction
      Action      = [string]$r.Action
      Protocol    = [string]$pf.Protocol
      LocalPort   = @($pf.LocalPort | ForEach-Object { [string]$_ })
    })
  }
  $doc.Firewall = @($rows)
} catch {
  Add-Err 'firewall' $_
}

# ---- failover cluster (members only) ----
if ($serviceNames -contains 'ClusSvc') {
  try {
    Import-Module FailoverClusters -ErrorAction Stop
    $c = Get-Cluster
    $nodes = @(Get-ClusterNode | ForEach-Object { [ordered]@{ Name = [string]$_.Name; State = [string]$_.State } })
    $groups = @(Get-ClusterGroup | ForEach-Object { [ordered]@{ Name = [string]$_.Name; State = [string]$_.State; OwnerNode = [string]$_.OwnerNode; GroupType = [string]$_.GroupType } })
    $res = New-Object System.Collections.ArrayList
    foreach ($r in @(Get-ClusterResource)) {
      $params = [ordered]@{}
      foreach ($p in @($r | Get-ClusterParameter -ErrorAction SilentlyContinue)) {
        if (@('ServiceName', 'DnsName', 'Name', 'Address', 'SubnetMask', 'Network', 'StartupParameters', 'InstanceName', 'VirtualServerName') -contains $p.Name) {
          $params[[string]$p.Name] = $p.Value
        }
      }
      $owners = @()
      try {
        $owners = @(Get-ClusterOwnerNode -InputObject $r -ErrorAction Stop | ForEach-Object { $_.OwnerNodes } | ForEach-Object { [string]$_.Name })
      } catch { }
      [void]$res.Add([ordered]@{
        Name           = [string]$r.Name
        ResourceType   = [string]$r.ResourceType
        OwnerGroup     = [string]$r.OwnerGroup
        OwnerNode      = [string]$r.OwnerNode
        State          = [string]$r.State
        PossibleOwners = $owners
        Parameters     = $params
      })
    }
    $doc.Cluster = [ordered]@{ Name = [string]$c.Name; Nodes = $nodes; Groups = $groups; Resources = @($res) }
  } catch {
    Add-Err 'cluster' $_
  }
}

$doc.Errors = @($script:errs)
$json = ConvertTo-Json -InputObject $doc -Depth 10 -Compress
$b64 = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($json))
[Console]::Out.Write("SSISHALINT-BEGIN`n" + $b64 + "`nSSISHALINT-END`n")
[Console]::Out.Flush()
