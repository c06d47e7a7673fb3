# The daemon's cmdlets against the staged module: Install-VpnDaemon into a root of its own (the unit passes
# systemd-analyze verify, the configuration is owner-only, the daemon copied under its version), Get-VpnDaemon
# reading it back, a configuration the daemon would refuse refused at install, Start- and Stop-VpnDaemon saying
# clearly that systemd is not PID 1 here, and Uninstall-VpnDaemon removing what was installed but the store.
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    $script:Version = (Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).ModuleVersion

    # A node's files as the configuration check reads them: a PEM certificate and a non-empty macaroon.
    $script:NodeFolder = Join-Path ([IO.Path]::GetTempPath()) "dmn-node-$PID"
    New-Item -ItemType Directory -Force $NodeFolder | Out-Null
    $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key, 'SHA256')
    $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow, [DateTimeOffset]::UtcNow.AddDays(1))
    Set-Content (Join-Path $NodeFolder 'tls.cert') $certificate.ExportCertificatePem()
    [IO.File]::WriteAllBytes((Join-Path $NodeFolder 'admin.macaroon'), [byte[]](1..32))
    $script:Node = @{
        TlsCertPath  = Join-Path $NodeFolder 'tls.cert'
        MacaroonPath = Join-Path $NodeFolder 'admin.macaroon'
        Network      = 'regtest'
    }
}

AfterAll {
    Remove-Item $NodeFolder -Recurse -Force -ErrorAction Ignore
}

Describe 'Install-VpnDaemon, Get-VpnDaemon and Uninstall-VpnDaemon in a root of their own' -Skip:(-not $IsLinux -or -not (Get-Command systemd-analyze -ErrorAction Ignore)) {
    BeforeEach {
        $script:Root = Join-Path ([IO.Path]::GetTempPath()) "dmn-root-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory $Root | Out-Null
    }

    AfterEach {
        Remove-Item $Root -Recurse -Force -ErrorAction Ignore
    }

    It 'installs a unit systemd-analyze accepts, the configuration owner-only and the daemon under its version' {
        $installed = Install-VpnDaemon -Root $Root -Endpoint 203.0.113.5:51820 -PricePerHourSat 500 @Node

        $installed | Should -BeOfType ImpVpn.PowerShell.Output.VpnDaemon
        $installed.Installed | Should -BeTrue
        $installed.Version | Should -Be $Version
        $installed.ConfigPath | Should -Be '/etc/impvpn/impvpnd.json'
        $installed.State | Should -Be 'unknown'
        $installed.StateUnknownReason | Should -Match 'installed under'

        $unit = Join-Path $Root 'etc/systemd/system/impvpnd.service'
        $verify = & systemd-analyze verify $unit 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$verify"
        "$verify" | Should -BeNullOrEmpty
        Test-Path (Join-Path $Root 'etc/systemd/system/multi-user.target.wants/impvpnd.service') | Should -BeTrue
        Get-Content -Raw $unit | Should -Match "(?m)^ExecStart=\S+ /opt/impvpn/$([regex]::Escape($Version))/impvpnd\.dll --config /etc/impvpn/impvpnd\.json$"
        Get-Content -Raw $unit | Should -Match '(?m)^CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH$'

        $config = Join-Path $Root 'etc/impvpn/impvpnd.json'
        (Get-Item $config).UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        $settings = Get-Content -Raw $config | ConvertFrom-Json
        $settings.Seller.Enabled | Should -BeTrue
        $settings.Seller.PricePerHourSat | Should -Be 500
        $settings.Refresh.Enabled | Should -BeFalse
        Test-Path (Join-Path $Root "opt/impvpn/$Version/impvpnd.dll") | Should -BeTrue
        (Get-Item (Join-Path $Root 'var/lib/impvpn')).UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')

        $read = Get-VpnDaemon -Root $Root
        $read.Installed | Should -BeTrue
        $read.Version | Should -Be $Version
        ($read | Format-Table | Out-String) | Should -Match 'Installed'
    }

    It 'takes an existing configuration file, and refuses one the daemon would refuse, naming the key' {
        $path = Join-Path $Root 'impvpnd.json'
        $file = @{
            StorePath = Join-Path $Root 'store'
            Node      = $Node
            Refresh   = @{ Enabled = $true; BudgetSat = 0 }
        }
        $file | ConvertTo-Json | Set-Content $path

        { Install-VpnDaemon -Root $Root -ConfigPath $path } | Should -Throw -ErrorId 'ImpVpn.DaemonConfigurationInvalid*'
        Test-Path (Join-Path $Root 'etc/systemd/system/impvpnd.service') | Should -BeFalse
        $error[0].Exception.Message | Should -Match 'Refresh\.BudgetSat'
        $error[0].ErrorDetails.RecommendedAction | Should -Match 'docs/daemon.md'

        $file.Refresh.BudgetSat = 5000
        $file | ConvertTo-Json | Set-Content $path
        $installed = Install-VpnDaemon -Root $Root -ConfigPath $path
        $installed.ConfigPath | Should -Be $path
        # The refresh proves a live tunnel with an echo before it claims: it keeps CAP_NET_RAW.
        Get-Content -Raw (Join-Path $Root 'etc/systemd/system/impvpnd.service') | Should -Match '(?m)^CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_NET_RAW$'
    }

    It 'turns the API on with -ApiMaxPriceSat and -ApiBudgetSat (loopback, its ceiling and budget in the file, CAP_NET_RAW for its buying), and leaves it off otherwise' {
        { Install-VpnDaemon -Root $Root -ApiMaxPriceSat 3000 @Node } | Should -Throw -ErrorId 'ImpVpn.DaemonConfigurationInvalid*'
        $error[0].Exception.Message | Should -Match 'Api\.BudgetSat'
        Test-Path (Join-Path $Root 'etc/systemd/system/impvpnd.service') | Should -BeFalse

        Install-VpnDaemon -Root $Root -ApiMaxPriceSat 3000 -ApiBudgetSat 30000 @Node | Out-Null

        $settings = Get-Content -Raw (Join-Path $Root 'etc/impvpn/impvpnd.json') | ConvertFrom-Json
        $settings.Api.Enabled | Should -BeTrue
        $settings.Api.MaxPriceSat | Should -Be 3000
        $settings.Api.BudgetSat | Should -Be 30000
        # The API buys with no scheduled refresh: its tunnel check's echo needs a raw socket.
        Get-Content -Raw (Join-Path $Root 'etc/systemd/system/impvpnd.service') | Should -Match '(?m)^CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_NET_RAW$'
        $settings.Api.Listen | Should -Be '127.0.0.1:8089'
        $settings.Seller.Enabled | Should -BeFalse
        $settings.Refresh.Enabled | Should -BeFalse

        Install-VpnDaemon -Root $Root -Endpoint 203.0.113.5:51820 @Node | Out-Null
        (Get-Content -Raw (Join-Path $Root 'etc/impvpn/impvpnd.json') | ConvertFrom-Json).Api.Enabled | Should -BeFalse
    }

    It 'uninstalls the unit and the daemon, and keeps the configuration and the store' {
        Install-VpnDaemon -Root $Root -Endpoint 203.0.113.5:51820 @Node | Out-Null
        Install-VpnDaemon -Root $Root -Endpoint 203.0.113.5:51820 @Node -WhatIf | Out-Null

        Uninstall-VpnDaemon -Root $Root

        (Get-VpnDaemon -Root $Root).Installed | Should -BeFalse
        Test-Path (Join-Path $Root 'etc/systemd/system/multi-user.target.wants/impvpnd.service') | Should -BeFalse
        Test-Path (Join-Path $Root 'opt/impvpn') | Should -BeFalse
        Test-Path (Join-Path $Root 'etc/impvpn/impvpnd.json') | Should -BeTrue
        Test-Path (Join-Path $Root 'var/lib/impvpn') | Should -BeTrue
    }
}

Describe 'Start-VpnDaemon and Stop-VpnDaemon where systemd is not PID 1' -Skip:(-not $IsLinux -or (Test-Path /run/systemd/system)) {
    It 'ends with ImpVpn.ServiceManagerUnavailable and says what to do instead' {
        { Start-VpnDaemon } | Should -Throw -ErrorId 'ImpVpn.ServiceManagerUnavailable*'
        $error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $error[0].ErrorDetails.RecommendedAction | Should -Match 'impvpnd\.dll --config'

        { Stop-VpnDaemon } | Should -Throw -ErrorId 'ImpVpn.ServiceManagerUnavailable*'
    }
}
