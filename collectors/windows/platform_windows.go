//go:build windows

package windows

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

type win32 struct{}

func newPlatform() platform { return win32{} }

func hideWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
}

// ---- host ----

func computerName(kind uint32) (string, error) {
	n := uint32(256)
	for i := 0; i < 3; i++ {
		buf := make([]uint16, n)
		err := windows.GetComputerNameEx(kind, &buf[0], &n)
		if err == nil {
			return windows.UTF16ToString(buf[:n]), nil
		}
		if !errors.Is(err, windows.ERROR_MORE_DATA) {
			return "", err
		}
	}
	return "", errors.New("GetComputerNameEx: buffer too small")
}

func (win32) host() (*nodebundle.Host, error) {
	h := &nodebundle.Host{}
	var errs []string
	var err error
	if h.ComputerName, err = computerName(windows.ComputerNameNetBIOS); err != nil {
		errs = append(errs, "computer name: "+err.Error())
	}
	if h.DNSHostName, err = computerName(windows.ComputerNameDnsHostname); err != nil {
		errs = append(errs, "DNS host name: "+err.Error())
	}
	dnsDomain, _ := computerName(windows.ComputerNameDnsDomain)
	var name *uint16
	var status uint32
	if err := windows.NetGetJoinInformation(nil, &name, &status); err == nil {
		joinName := windows.UTF16PtrToString(name)
		windows.NetApiBufferFree((*byte)(unsafe.Pointer(name)))
		h.PartOfDomain = status == windows.NetSetupDomainName
		// Win32_ComputerSystem.Domain: the DNS domain when joined, else the workgroup.
		h.Domain = joinName
		if h.PartOfDomain && dnsDomain != "" {
			h.Domain = dnsDomain
		}
	} else {
		h.Domain = dnsDomain
		h.PartOfDomain = dnsDomain != ""
	}
	v := windows.RtlGetVersion()
	h.Version = fmt.Sprintf("%d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, registry.QUERY_VALUE|registry.WOW64_64KEY); err == nil {
		if p, _, err := k.GetStringValue("ProductName"); err == nil {
			// Win32_OperatingSystem.Caption is "Microsoft " + ProductName.
			h.Caption = p
			if !strings.HasPrefix(p, "Microsoft ") {
				h.Caption = "Microsoft " + p
			}
		}
		k.Close()
	}
	if h.ComputerName == "" {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	return h, nil
}

// ---- services ----

func (win32) services() ([]nodebundle.Service, error) {
	// Read-only SCM handle: no admin needed, works under Wine.
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT|windows.SC_MANAGER_ENUMERATE_SERVICE)
	if err != nil {
		return nil, fmt.Errorf("OpenSCManager: %w", err)
	}
	defer windows.CloseServiceHandle(m)

	var needed, count, resume uint32
	var buf []byte
	size := uint32(64 * 1024)
	var all []windows.ENUM_SERVICE_STATUS_PROCESS
	for {
		buf = make([]byte, size)
		err := windows.EnumServicesStatusEx(m, windows.SC_ENUM_PROCESS_INFO, windows.SERVICE_WIN32, windows.SERVICE_STATE_ALL,
			&buf[0], size, &needed, &count, &resume, nil)
		if count > 0 {
			entries := unsafe.Slice((*windows.ENUM_SERVICE_STATUS_PROCESS)(unsafe.Pointer(&buf[0])), count)
			for _, e := range entries {
				all = append(all, windows.ENUM_SERVICE_STATUS_PROCESS{ServiceName: e.ServiceName, DisplayName: e.DisplayName, ServiceStatusProcess: e.ServiceStatusProcess})
			}
		}
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_MORE_DATA) {
			return nil, fmt.Errorf("EnumServicesStatusEx: %w", err)
		}
		// The strings point into buf: copy them before the next call.
		for i := range all {
			all[i] = copyEntry(all[i])
		}
		if needed > size {
			size = needed
		}
	}
	var out []nodebundle.Service
	var errs []string
	for _, e := range all {
		name := windows.UTF16PtrToString(e.ServiceName)
		if !nodebundle.MatchService(name) {
			continue
		}
		s := nodebundle.Service{
			Name:        name,
			DisplayName: windows.UTF16PtrToString(e.DisplayName),
			State:       nodebundle.StateName(e.ServiceStatusProcess.CurrentState),
			ProcessID:   int(e.ServiceStatusProcess.ProcessId),
		}
		if err := serviceConfig(m, &s); err != nil {
			errs = append(errs, name+": "+err.Error())
		}
		if s.ProcessID != 0 {
			if t, err := processStart(uint32(s.ProcessID)); err == nil {
				v := t.UTC().Format(time.RFC3339Nano)
				s.ProcessStartUtc = &v
			}
		}
		out = append(out, s)
	}
	_ = buf
	if len(errs) > 0 {
		return out, fmt.Errorf("QueryServiceConfig: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// copyEntry detaches an entry's strings from the enumeration buffer.
func copyEntry(e windows.ENUM_SERVICE_STATUS_PROCESS) windows.ENUM_SERVICE_STATUS_PROCESS {
	if e.ServiceName != nil {
		p, _ := windows.UTF16PtrFromString(windows.UTF16PtrToString(e.ServiceName))
		e.ServiceName = p
	}
	if e.DisplayName != nil {
		p, _ := windows.UTF16PtrFromString(windows.UTF16PtrToString(e.DisplayName))
		e.DisplayName = p
	}
	return e
}

// serviceConfig fills StartName, StartMode and PathName with
// windows.QueryServiceConfig on a SERVICE_QUERY_CONFIG|SERVICE_QUERY_STATUS
// handle (mgr.Service.Config() also asks QueryServiceConfig2 levels that Wine
// lacks, and opens the service with more rights than needed).
func serviceConfig(m windows.Handle, s *nodebundle.Service) error {
	np, err := windows.UTF16PtrFromString(s.Name)
	if err != nil {
		return err
	}
	h, err := windows.OpenService(m, np, windows.SERVICE_QUERY_CONFIG|windows.SERVICE_QUERY_STATUS)
	if err != nil {
		return fmt.Errorf("OpenService: %w", err)
	}
	defer windows.CloseServiceHandle(h)
	var needed uint32
	size := uint32(8192)
	for i := 0; i < 3; i++ {
		buf := make([]byte, size)
		cfg := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
		err = windows.QueryServiceConfig(h, cfg, size, &needed)
		if err == nil {
			s.StartName = windows.UTF16PtrToString(cfg.ServiceStartName)
			s.PathName = windows.UTF16PtrToString(cfg.BinaryPathName)
			s.StartMode = nodebundle.StartModeName(cfg.StartType)
			if s.DisplayName == "" {
				s.DisplayName = windows.UTF16PtrToString(cfg.DisplayName)
			}
			return nil
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) {
			return err
		}
		size = needed
	}
	return err
}

func processStart(pid uint32) (time.Time, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return time.Time{}, err
	}
	defer windows.CloseHandle(h)
	var c, e, k, u windows.Filetime
	if err := windows.GetProcessTimes(h, &c, &e, &k, &u); err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, c.Nanoseconds()), nil
}

// ---- certificates ----

var (
	crypt32                               = windows.NewLazySystemDLL("crypt32.dll")
	procCertGetCertificateContextProperty = crypt32.NewProc("CertGetCertificateContextProperty")
)

const (
	certKeyProvInfoPropID  = 2  // CERT_KEY_PROV_INFO_PROP_ID
	certFriendlyNamePropID = 11 // CERT_FRIENDLY_NAME_PROP_ID
)

// certProperty returns a certificate context property, or ok=false when the
// certificate does not have it.
func certProperty(ctx *windows.CertContext, id uint32) ([]byte, bool, error) {
	if err := procCertGetCertificateContextProperty.Find(); err != nil {
		return nil, false, err
	}
	var size uint32
	r, _, _ := procCertGetCertificateContextProperty.Call(uintptr(unsafe.Pointer(ctx)), uintptr(id), 0, uintptr(unsafe.Pointer(&size)))
	if r == 0 {
		// CRYPT_E_NOT_FOUND: the certificate has no such property.
		return nil, false, nil
	}
	if size == 0 {
		return nil, true, nil
	}
	buf := make([]byte, size)
	r, _, e := procCertGetCertificateContextProperty.Call(uintptr(unsafe.Pointer(ctx)), uintptr(id), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)))
	if r == 0 {
		return nil, false, e
	}
	return buf[:size], true, nil
}

func (win32) certStore(location, store string) ([]nodebundle.Cert, error) {
	var locFlag uint32
	switch strings.ToLower(location) {
	case "localmachine":
		locFlag = windows.CERT_SYSTEM_STORE_LOCAL_MACHINE
	case "currentuser":
		locFlag = windows.CERT_SYSTEM_STORE_CURRENT_USER
	default:
		return nil, fmt.Errorf("unknown store location %q", location)
	}
	sp, err := windows.UTF16PtrFromString(store)
	if err != nil {
		return nil, err
	}
	h, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM, 0, 0,
		locFlag|windows.CERT_STORE_READONLY_FLAG|windows.CERT_STORE_OPEN_EXISTING_FLAG, uintptr(unsafe.Pointer(sp)))
	if err != nil {
		return nil, fmt.Errorf("CertOpenStore %s\\%s: %w", location, store, err)
	}
	defer windows.CertCloseStore(h, 0)
	out := []nodebundle.Cert{}
	var prev *windows.CertContext
	for {
		ctx, err := windows.CertEnumCertificatesInStore(h, prev)
		if ctx == nil || err != nil {
			// CRYPT_E_NOT_FOUND / ERROR_NO_MORE_FILES end the enumeration;
			// CertEnumCertificatesInStore freed prev.
			break
		}
		prev = ctx
		der := make([]byte, ctx.Length)
		copy(der, unsafe.Slice(ctx.EncodedCert, ctx.Length))
		c := nodebundle.Cert{DER: der}
		// Only the presence of key provider info is read: no key is opened.
		if _, ok, _ := certProperty(ctx, certKeyProvInfoPropID); ok {
			c.HasPrivateKey = true
		}
		if b, ok, _ := certProperty(ctx, certFriendlyNamePropID); ok && len(b) >= 2 {
			u := unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
			c.FriendlyName = windows.UTF16ToString(u)
		}
		out = append(out, c)
	}
	return out, nil
}

// ---- registry ----

func hklmPath(key string) (string, error) {
	const prefix = `HKLM\`
	if !strings.HasPrefix(strings.ToUpper(key), prefix) {
		return "", fmt.Errorf("not an HKLM key: %s", key)
	}
	return key[len(prefix):], nil
}

func (win32) registryValues(key string, names []string) (map[string]any, error) {
	path, err := hklmPath(key)
	if err != nil {
		return nil, err
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
			return nil, nil
		}
		return nil, err
	}
	defer k.Close()
	out := map[string]any{}
	for _, n := range names {
		v, err := readValue(k, n)
		if err != nil {
			if errors.Is(err, registry.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
				continue
			}
			return out, fmt.Errorf("%s: %w", n, err)
		}
		out[n] = v
	}
	return out, nil
}

func readValue(k registry.Key, name string) (any, error) {
	_, typ, err := k.GetValue(name, nil)
	if err != nil {
		return nil, err
	}
	switch typ {
	case registry.DWORD, registry.QWORD:
		v, _, err := k.GetIntegerValue(name)
		return v, err
	case registry.SZ, registry.EXPAND_SZ:
		v, _, err := k.GetStringValue(name)
		return v, err
	case registry.MULTI_SZ:
		v, _, err := k.GetStringsValue(name)
		return v, err
	default:
		v, _, err := k.GetBinaryValue(name)
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("0x%X", v), nil
	}
}

func (win32) registrySubkeys(key string) ([]string, error) {
	path, err := hklmPath(key)
	if err != nil {
		return nil, err
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
			return nil, nil
		}
		return nil, err
	}
	defer k.Close()
	return k.ReadSubKeyNames(-1)
}
