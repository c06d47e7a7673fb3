# Bad input and missing set-up, as a user meets them in a fresh pwsh: every failure is an ErrorRecord with
# ImpVpn's stable id and a fitting category, never a raw .NET exception, and nothing is created or lost.
BeforeAll {
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "impvpn-errors-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    New-Item -ItemType Directory $Work | Out-Null
    $script:SomeKey = '02' + ('ab' * 32)

    # Runs $Script in a new pwsh with the staged module imported and IMPVPN_HOME in a folder of its own, and returns
    # what it reported about the errors it met: id, category, target, message and recommended action, one object each.
    function script:Invoke-Fresh([string] $Name, [string] $Script) {
        $storeHome = Join-Path $Work $Name
        $file = Join-Path $Work "$Name.ps1"
        @"
`$env:IMPVPN_HOME = '$storeHome'
Import-Module '$env:IMPVPN_MODULE'
`$found = [Collections.Generic.List[object]]::new()
try {
    $Script
}
catch { `$found.Add(`$_) }
foreach (`$e in @(`$found) + @(`$failed)) {
    if (`$e) {
        [pscustomobject]@{
            Id = `$e.FullyQualifiedErrorId; Category = [string] `$e.CategoryInfo.Category; Target = [string] `$e.TargetObject
            Message = `$e.Exception.Message; Shown = [string] `$e.ErrorDetails.Message; RecommendedAction = [string] `$e.ErrorDetails.RecommendedAction
        }
    }
}
"@ | Set-Content $file
        Push-Location $env:IMPVPN_REPO
        try {
            $json = & dotnet tool run pwsh -NoProfile -NonInteractive -Command "& '$file' | ConvertTo-Json -Compress -AsArray"
        }
        finally { Pop-Location }
        [pscustomobject]@{ Home = $storeHome; Errors = @($json | ConvertFrom-Json) }
    }
}

AfterAll {
    Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Errors a user meets' {
    It 'says Connect-VpnNode comes first, with id and category, when no node is connected' {
        $run = Invoke-Fresh 'not-connected' "Request-VpnQuote -PubKey $SomeKey -ErrorVariable failed -ErrorAction SilentlyContinue"
        $run.Errors[0].Id | Should -Be 'ImpVpn.NotConnected,ImpVpn.PowerShell.Cmdlets.RequestVpnQuoteCommand'
        $run.Errors[0].Category | Should -Be 'ConnectionError'
    }

    It 'refuses a zero or negative duration before asking anyone' {
        $run = Invoke-Fresh 'duration' "Request-VpnQuote -PubKey $SomeKey -Duration -01:00:00"
        $run.Errors[0].Id | Should -BeLike 'ParameterArgumentValidationError,*'
        $run.Errors[0].Message | Should -Match 'positive duration'
    }

    It 'reports a bad lndconnect certificate and a missing tls.cert as ImpVpn errors' {
        $uri = Invoke-Fresh 'lndconnect' "Connect-VpnNode -LndConnectUri 'lndconnect://127.0.0.1:1?cert=&macaroon=AQID' -Network regtest"
        $uri.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $uri.Errors[0].Category | Should -Be 'InvalidArgument'
        $files = Invoke-Fresh 'missing-cert' "Connect-VpnNode -RpcAddress 127.0.0.1:1 -TlsCertPath ./no-such.cert -MacaroonPath ./no-such.macaroon -Network regtest"
        $files.Errors[0].Id | Should -BeLike 'ImpVpn.FileNotFound,*'
        $files.Errors[0].Category | Should -Be 'ObjectNotFound'
        $files.Errors[0].RecommendedAction | Should -Match '-TlsCertPath'
    }

    It 'says which macaroon file is missing, and recommends what to give Connect-VpnNode' {
        # A real certificate, so that the macaroon is what is missing.
        $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key, 'SHA256')
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow, [DateTimeOffset]::UtcNow.AddDays(1))
        $cert = Join-Path $Work 'tls.cert'
        Set-Content $cert $certificate.ExportCertificatePem()
        $missing = Join-Path $Work 'no-such.macaroon'

        $run = Invoke-Fresh 'missing-macaroon' "Connect-VpnNode -RpcAddress 127.0.0.1:1 -TlsCertPath '$cert' -MacaroonPath '$missing' -Network regtest"

        $run.Errors[0].Id | Should -BeLike 'ImpVpn.MacaroonRefused,*'
        $run.Errors[0].Category | Should -Be 'AuthenticationError'
        $run.Errors[0].Message | Should -Be "No macaroon file at '$missing'."
        $run.Errors[0].Shown | Should -Be $run.Errors[0].Message
        $run.Errors[0].RecommendedAction | Should -Match 'Connect-VpnNode'
        $run.Errors[0].RecommendedAction | Should -Match '-MacaroonPath'
        $run.Errors[0].RecommendedAction | Should -Match '-LndDirectory'
        $run.Errors[0].RecommendedAction | Should -Match 'lndconnect'
    }

    It 'refuses a seller endpoint buyers could not reach (not an endpoint, or loopback), a minimum duration above the maximum, and a region label buyers would refuse, before starting' {
        $endpoint = Invoke-Fresh 'endpoint' "Start-VpnProvider -Endpoint nonsense -ConfigOnly"
        $endpoint.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $endpoint.Errors[0].Message | Should -Match 'IP address and port'
        $loopback = Invoke-Fresh 'loopback' "Start-VpnProvider -Endpoint 127.0.0.1:51820 -ConfigOnly"
        $loopback.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $loopback.Errors[0].Message | Should -Match 'loopback'
        $range = Invoke-Fresh 'range' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -MinimumDuration 2.00:00:00 -MaximumDuration 01:00:00 -ConfigOnly"
        $range.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $range.Errors[0].Message | Should -Match 'minimum duration'
        $region = Invoke-Fresh 'region' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Region 'eu/west' -ConfigOnly"
        $region.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $region.Errors[0].Message | Should -Match 'region is at most 32'
    }

    It 'refuses forwarded ports buyers could not use (a loopback public address, an address without ports), before starting' {
        $loopback = Invoke-Fresh 'pf-loopback' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -ForwardedPorts 40000-40999 -PublicAddress 127.0.0.1"
        $loopback.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $loopback.Errors[0].Message | Should -Match 'loopback'
        $noPorts = Invoke-Fresh 'pf-noports' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -PublicAddress 192.0.2.1"
        $noPorts.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
        $noPorts.Errors[0].Message | Should -Match 'port range'
        $reversed = Invoke-Fresh 'pf-reversed' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -ForwardedPorts 40999-40000"
        $reversed.Errors[0].Id | Should -BeLike 'ImpVpn.InvalidArgument,*'
    }

    It 'refuses exits a seller cannot deliver before starting, each with its id, category and remedy naming the parameter' {
        $resolver = Invoke-Fresh 'exit-resolver' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode NodeToNode,Exit -EgressInterface eth0"
        $resolver.Errors[0].Id | Should -BeLike 'ImpVpn.ExitSettingInvalid,*'
        $resolver.Errors[0].Category | Should -Be 'InvalidArgument'
        $resolver.Errors[0].RecommendedAction | Should -Match '-Resolver'
        $egress = Invoke-Fresh 'exit-egress' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode Exit -Resolver 9.9.9.9"
        $egress.Errors[0].Id | Should -BeLike 'ImpVpn.ExitSettingInvalid,*'
        $egress.Errors[0].RecommendedAction | Should -Match '-EgressInterface'
        $family = Invoke-Fresh 'exit-family' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode Exit -EgressInterface eth0 -Resolver 2001:db8::53"
        $family.Errors[0].Id | Should -BeLike 'ImpVpn.ExitSettingInvalid,*'
        $family.Errors[0].Message | Should -Match 'family'
        $configOnly = Invoke-Fresh 'exit-configonly' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode Exit -EgressInterface eth0 -Resolver 9.9.9.9 -ConfigOnly"
        $configOnly.Errors[0].Id | Should -BeLike 'ImpVpn.ExitSettingInvalid,*'
        $configOnly.Errors[0].RecommendedAction | Should -Match '-ConfigOnly'
        $refused = Invoke-Fresh 'exit-refused' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode Exit -EgressInterface eth0 -Resolver 9.9.9.9 -RefusedDestination nonsense"
        $refused.Errors[0].Id | Should -BeLike 'ImpVpn.ExitSettingInvalid,*'
        $refused.Errors[0].RecommendedAction | Should -Match '-RefusedDestination'
        $mode = Invoke-Fresh 'exit-mode' "Start-VpnProvider -Endpoint 192.0.2.1:51820 -Mode Teleport"
        $mode.Errors[0].Id | Should -BeLike 'ParameterArgumentValidationError,*'
    }

    It 'says which tunnel id it does not know, and creates no store by looking' {
        $run = Invoke-Fresh 'unknown-id' "Get-VpnTunnel -Id nosuch -ErrorVariable failed -ErrorAction SilentlyContinue"
        $run.Errors[0].Id | Should -Be 'ImpVpn.ContractNotFound,ImpVpn.PowerShell.Cmdlets.GetVpnTunnelCommand'
        $run.Errors[0].Category | Should -Be 'ObjectNotFound'
        $run.Errors[0].Target | Should -Be 'nosuch'
        Test-Path $run.Home | Should -BeFalse
    }

    It 'reports an unreadable contract file and leaves it untouched' {
        $contracts = Join-Path $Work 'corrupt/contracts'
        New-Item -ItemType Directory $contracts -Force | Out-Null
        Set-Content (Join-Path $contracts 'broken.json') '{ "Id": "broken", '
        $run = Invoke-Fresh 'corrupt' "Get-VpnTunnel -ErrorVariable failed -ErrorAction SilentlyContinue"
        $run.Errors[0].Id | Should -Be 'ImpVpn.StoreCorrupt,ImpVpn.PowerShell.Cmdlets.GetVpnTunnelCommand'
        $run.Errors[0].Category | Should -Be 'InvalidData'
        Get-Content -Raw (Join-Path $contracts 'broken.json') | Should -Match '"broken"'
    }

    It 'does not start a scheduled run without a budget, given or configured, and names both ways to give one' {
        $run = Invoke-Fresh 'no-budget' "`$env:IMPVPN_REFRESH_BUDGET_SAT = `$null; Update-VpnContract -ExpiringWithin 01:00:00 -WhatIf"
        $run.Errors[0].Id | Should -Be 'ImpVpn.BudgetRequired,ImpVpn.PowerShell.Cmdlets.UpdateVpnContractCommand'
        $run.Errors[0].Category | Should -Be 'InvalidArgument'
        $run.Errors[0].Message | Should -Match 'IMPVPN_REFRESH_BUDGET_SAT'
        $run.Errors[0].Message | Should -Not -Match 'Update-VpnContract|-TotalBudgetSat'
        $run.Errors[0].RecommendedAction | Should -Match '-TotalBudgetSat'
        Test-Path $run.Home | Should -BeFalse
        $bad = Invoke-Fresh 'bad-budget' "`$env:IMPVPN_REFRESH_BUDGET_SAT = 'lots'; Update-VpnContract -ExpiringWithin 01:00:00"
        $bad.Errors[0].Id | Should -BeLike 'ImpVpn.BudgetRequired,*'
        $configured = Invoke-Fresh 'configured-budget' "`$env:IMPVPN_REFRESH_BUDGET_SAT = '5000'; Update-VpnContract -ExpiringWithin 01:00:00 -ErrorVariable failed"
        @($configured.Errors).Count | Should -Be 0
    }

    It 'says which contract -Id it does not know, before any payment question' {
        $run = Invoke-Fresh 'unknown-contract' "Confirm-VpnContract -Id abc123 -WhatIf -ErrorVariable failed -ErrorAction SilentlyContinue"
        $run.Errors[0].Id | Should -Be 'ImpVpn.ContractNotFound,ImpVpn.PowerShell.Cmdlets.ConfirmVpnContractCommand'
        $run.Errors[0].Category | Should -Be 'ObjectNotFound'
    }
}
