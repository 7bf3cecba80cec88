#!/bin/sh
# Runs the local collector's tests under Wine 8 (Debian 12) against a fresh,
# seeded prefix: services created with `sc create ... obj=`, registry values,
# config files under drive_c/Program Files, and (from the Go test itself)
# certificates in LocalMachine\My and \Root with and without private keys.
#
#   collectors/windows/testdata/wine-test.sh            # from the repository root
#
# Needs root (or the packages already installed) for apt-get. Environment:
#   WINE_TEST_KEEP=1   keep the prefix (printed) for inspection
set -eu
repo=$(cd "$(dirname "$0")/../../.." && pwd)
start=$(date +%s)

need=""
command -v wine >/dev/null 2>&1 || need="$need wine wine64"
command -v x86_64-w64-mingw32-as >/dev/null 2>&1 || need="$need binutils-mingw-w64-x86-64"
if [ -n "$need" ]; then
  apt-get install -y --no-install-recommends $need >/dev/null
fi

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  if [ "${WINE_TEST_KEEP:-}" = 1 ]; then echo "prefix kept: $WINEPREFIX" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 1. bcryptprimitives.dll shim: Go >= 1.24 calls ProcessPrng, which Wine 8
#    lacks. ProcessPrng(buf, len) -> advapi32!SystemFunction036(buf, len); TRUE.
cd "$work"
cat > shim.s <<'ASM'
    .text
    .globl ProcessPrng
ProcessPrng:
    subq $40, %rsp
    call *__imp_SystemFunction036(%rip)
    movl $1, %eax
    addq $40, %rsp
    ret
    .globl DllMain
DllMain:
    movl $1, %eax
    ret
ASM
printf 'LIBRARY advapi32.dll\nEXPORTS\nSystemFunction036\n' > advapi32.def
printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng\n' > bcp.def
x86_64-w64-mingw32-as -o shim.o shim.s
x86_64-w64-mingw32-dlltool -d advapi32.def -l libadvapi32.a
x86_64-w64-mingw32-ld -shared --entry DllMain -o bcryptprimitives.dll shim.o bcp.def libadvapi32.a

# 2. fresh headless prefix
wineboot -i >/dev/null 2>&1
wineserver -w
cp bcryptprimitives.dll "$WINEPREFIX/drive_c/windows/system32/"

# 3. seed: services, registry values, config files
wine sc create SSISScaleOutWorker150 binPath= "C:\\windows\\system32\\notepad.exe" obj= "CONTOSO\\svc-wrk" password= "x" start= auto DisplayName= "SQL Server Integration Services Scale Out Worker 15.0" >/dev/null
wine sc create SSISScaleOutMaster150 binPath= "C:\\windows\\system32\\notepad.exe -k master" obj= "CONTOSO\\svc-ssis" password= "x" start= demand >/dev/null
wine sc create W32TimeDecoy binPath= "C:\\windows\\system32\\notepad.exe" start= disabled >/dev/null
wine reg add 'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL' /v SendTrustedIssuerList /t REG_DWORD /d 0 /f >/dev/null
wine reg add 'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL' /v ClientAuthTrustMode /t REG_DWORD /d 2 /f >/dev/null
wine reg add 'HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\150\DTS\Setup\SQL_IS_Master' /v Version /t REG_SZ /d 15.0.2000.5 /f >/dev/null
wine reg add 'HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\150\DTS\Setup\SQL_IS_Worker' /v Version /t REG_SZ /d 15.0.2000.5 /f >/dev/null
binn="$WINEPREFIX/drive_c/Program Files/Microsoft SQL Server/150/DTS/Binn"
mkdir -p "$binn"
printf '\357\273\277{\r\n  "PortNumber": 8391,\r\n  "SSLCertThumbprint": "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00",\r\n  "SqlServerName": "aglsn.contoso.com,1433"\r\n}\r\n' > "$binn/MasterSettings.config"
printf '{\r\n  "MasterEndpoint": "https://ssismaster.contoso.com:8391",\r\n  "StoreLocation": "LocalMachine",\r\n  "StoreName": "SSISWorker"\r\n}\r\n' > "$binn/WorkerSettings.config"
# a PFX with its RSA key (legacy 3DES/SHA1 PBE, which crypt32 reads)
if command -v openssl >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pfx.contoso.com -days 30 -keyout "$work/k.pem" -out "$work/c.pem" 2>/dev/null
  openssl pkcs12 -export -inkey "$work/k.pem" -in "$work/c.pem" -out "$work/t.pfx" -passout pass:test \
    -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 2>/dev/null
  SSIS_HA_LINT_WINE_PFX=$(winepath -w "$work/t.pfx" 2>/dev/null)
  export SSIS_HA_LINT_WINE_PFX
fi
wineserver -w
seeded=$(date +%s)

# 4. run the tests under Wine; TestWineSeeded checks the seeded prefix.
cd "$repo"
SSIS_HA_LINT_WINE=1 GOOS=windows GOARCH=amd64 go test -count=1 -exec wine ./collectors/windows/ "$@"
end=$(date +%s)
echo "wine-test: prefix+seed $((seeded - start))s, tests $((end - seeded))s, total $((end - start))s" >&2
