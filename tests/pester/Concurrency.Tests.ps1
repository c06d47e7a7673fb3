# Two real processes paying from one store at the same moment, as a user's interactive run and a scheduled one do:
# whatever the mix, each purchase and each refresh is paid once. The seller's answers are slowed so that the runs
# overlap for certain (each holds the store's lock for seconds), not by chance.
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-race-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node alice, bob
    $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1200'
    $script:Bob = (Get-SandboxNode $Sim 'bob').pubKey
    $script:Alice = Get-SandboxNode $Sim 'alice'

    # Starts one pwsh per script body, all at once, each connected to alice with the given store; waits for all
    # and returns, per process, its exit code and what it wrote (JSON on stdout, errors on stderr).
    function Invoke-Together([string] $Store, [string[]] $Bodies) {
        $runs = for ($i = 0; $i -lt $Bodies.Count; $i++) {
            $script = Join-Path $Root "run-$([guid]::NewGuid().ToString('N')).ps1"
            @"
`$ErrorActionPreference = 'Stop'
# Plain text: the errors are read back into test messages, and escape codes would break the XML report.
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$env:IMPVPN_MODULE'
Connect-VpnNode -RpcAddress '$($Alice.rpcAddress)' -TlsCertPath '$($Alice.tlsCertPath)' -MacaroonPath '$($Alice.macaroonPath)' -Network regtest -StorePath '$Store' | Out-Null
$($Bodies[$i])
"@ | Set-Content $script
            $out = "$script.out"
            $process = Start-Process dotnet -ArgumentList 'tool', 'run', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script `
                -WorkingDirectory $env:IMPVPN_REPO -PassThru -RedirectStandardOutput $out -RedirectStandardError "$out.err"
            [pscustomobject]@{ Process = $process; Out = $out }
        }

        foreach ($run in $runs) {
            if (-not $run.Process.WaitForExit(120000)) { $run.Process.Kill($true); throw 'A run did not finish within 2 minutes.' }
            $run.Process.WaitForExit()
            [pscustomobject]@{
                ExitCode = $run.Process.ExitCode
                Output   = Get-Content -Raw $run.Out -ErrorAction SilentlyContinue
                Errors   = Get-Content -Raw "$($run.Out).err" -ErrorAction SilentlyContinue
            }
        }
    }

    function Set-SellerDelay([int] $Milliseconds) {
        Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/faults" -ContentType 'application/json' -Body "{`"customMessageDelayMs`":$Milliseconds}" | Out-Null
    }

    function Get-Bought([string] $Store) {
        Get-ChildItem (Join-Path $Store 'contracts/bought') -Filter *.json | Get-Content -Raw | ConvertFrom-Json
    }
}

AfterAll {
    Set-SellerDelay 0
    Stop-SandboxProcess $Seller
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Two processes paying from one store' {
    It 'pays once when two processes confirm the same quote' {
        $store = Join-Path $Root 'same-quote'
        Connect-SandboxNode $Sim 'alice' $store | Out-Null
        $quoteFile = Join-Path $Root 'quote.xml'
        Request-VpnQuote -PubKey $Bob -Duration 00:30:00 | Export-Clixml $quoteFile
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $confirm = "Import-Clixml '$quoteFile' | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000 | Select-Object Id, State | ConvertTo-Json -Compress"

        Set-SellerDelay 1500
        try { $runs = @(Invoke-Together $store @($confirm, $confirm)) } finally { Set-SellerDelay 0 }

        foreach ($run in $runs) { $run.ExitCode | Should -Be 0 -Because "each run ends with the one contract ($($run.Errors))" }
        $tunnels = $runs | ForEach-Object { $_.Output | ConvertFrom-Json }
        $tunnels.State | Should -Be @('Active', 'Active')
        $tunnels[0].Id | Should -Be $tunnels[1].Id -Because 'the second run finishes the first run''s contract instead of buying again'
        @(Get-Bought $store).Count | Should -Be 1
        # 30 minutes at 1,200 sat an hour, over a direct channel (no routing fee), once.
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 600000)
    }

    It 'refreshes each tunnel once when two scheduled runs start together' {
        $store = Join-Path $Root 'two-schedules'
        Connect-SandboxNode $Sim 'alice' $store | Out-Null
        $bought = 1..2 | ForEach-Object { Request-VpnQuote -PubKey $Bob -Duration 00:30:00 | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000 }
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $scheduled = 'Update-VpnContract -ExpiringWithin 01:00:00 -Duration 00:10:00 -TotalBudgetSat 5000 | Select-Object Id, ExpiresAt | ConvertTo-Json -Compress'

        Set-SellerDelay 500
        try { $runs = @(Invoke-Together $store @($scheduled, $scheduled)) } finally { Set-SellerDelay 0 }

        foreach ($run in $runs) { $run.ExitCode | Should -Be 0 -Because "a tunnel another run refreshed is no failure ($($run.Errors))" }
        $records = @(Get-Bought $store)
        foreach ($tunnel in $bought) {
            $record = $records | Where-Object Id -eq $tunnel.Id
            ([DateTimeOffset] $record.ExpiresAt - $tunnel.ExpiresAt).TotalMinutes | Should -Be 10 -Because 'each tunnel is refreshed by one run only'
            $record.PaidSat | Should -Be 800
        }

        # Two refreshes of 10 minutes at 1,200 sat an hour: 200 sat each.
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 400000)
    }

    It 'pays each thing once when a purchase and a scheduled refresh run together' {
        $store = Join-Path $Root 'mixed'
        Connect-SandboxNode $Sim 'alice' $store | Out-Null
        $existing = Request-VpnQuote -PubKey $Bob -Duration 00:30:00 | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000
        $quoteFile = Join-Path $Root 'mixed-quote.xml'
        Request-VpnQuote -PubKey $Bob -Duration 00:30:00 | Export-Clixml $quoteFile
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $paidBefore = (@(Get-Bought $store) | Measure-Object PaidSat -Sum).Sum

        Set-SellerDelay 1000
        try {
            $runs = @(Invoke-Together $store @(
                    "Import-Clixml '$quoteFile' | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000 | Out-Null",
                    'Update-VpnContract -ExpiringWithin 01:00:00 -Duration 00:10:00 -TotalBudgetSat 5000 | Out-Null'))
        }
        finally { Set-SellerDelay 0 }

        foreach ($run in $runs) { $run.ExitCode | Should -Be 0 -Because $run.Errors }
        $records = @(Get-Bought $store)
        $records.Count | Should -Be 2
        ($records | Where-Object Id -eq $existing.Id).PaidSat | Should -Be 800 -Because 'the tunnel that was due is refreshed once'
        foreach ($record in $records) {
            $record.PaidSat | Should -Be $record.PriceSat -Because 'whatever was bought or refreshed was paid once'
        }

        # Whether the scheduled run also refreshed the tunnel bought beside it depends on which took the lock first;
        # either way, what left alice's node is exactly what the records say was paid.
        $paid = (($records | Measure-Object PaidSat -Sum).Sum - $paidBefore) * 1000
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - $paid)
        $paid | Should -BeIn @(800000, 1000000)
    }
}
