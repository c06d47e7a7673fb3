# Buying through the cmdlets as a user would: a seller runs Start-VpnProvider in its own pwsh, the buyer pipes
# Request-VpnQuote into Confirm-VpnContract. Config-only here (no interfaces); real tunnels are in the xunit suite
# (RealTunnelPurchaseTests) and the namespace suite.
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-pester-$([guid]::NewGuid().ToString('N'))")).FullName
    # Gossip in a third of a second rather than LND's 90 s: Find-VpnProvider finds bob once his bit reaches alice's graph.
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node alice, bob, carol -GossipDelayMs 300
    $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1200'
    $script:Bob = (Get-SandboxNode $Sim 'bob').pubKey
    Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-Null
}

AfterAll {
    Stop-SandboxProcess $Seller
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Buying a tunnel with the cmdlets' {
    It 'quotes, pays exactly the price once, and shows the tunnel' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $quote = Request-VpnQuote -PubKey $Bob -Duration '00:30:00'
        $quote.PriceSat | Should -Be 600
        $quote.GetType().Name | Should -Be 'VpnQuote'

        $tunnel = $quote | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000

        $tunnel.State | Should -Be 'Active'
        $tunnel.Endpoint | Should -Be '192.0.2.1:51820'
        $tunnel.HasProofOfPayment | Should -BeTrue
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 600000 - $tunnel.FeeSat * 1000)
        (Get-Item $tunnel.ConfigPath).UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        (Get-VpnTunnel -Id $tunnel.Id).State | Should -Be 'Active'
    }

    It 'asks for a mode and address family, and a seller that does not sell it says what it sells' {
        $quote = Request-VpnQuote $Bob -Mode NodeToNode -AddressFamily IPv4
        $quote.Mode | Should -Be 'node-to-node'
        $quote.AddressFamily | Should -Be 'ipv4'

        Request-VpnQuote $Bob -Mode Exit -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.OfferNotSold,*'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $refused[0].Exception.Message | Should -BeLike '*modes node-to-node; address families ipv4*'
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Mode and -AddressFamily*'
        (Get-Command Request-VpnQuote).Parameters['Mode'].Attributes.ValidValues | Should -Be @('NodeToNode', 'Exit', 'PortForward')
    }

    It 'refuses, with the seller''s own bounds, a duration it does not sell, before asking a quote' {
        Request-VpnQuote $Bob -Duration '31.00:00:00' -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.DurationNotSold,*'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $refused[0].Exception.Message | Should -BeLike '*durations from 00:01:00 to 30.00:00:00; 31.00:00:00 was asked for*'
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike '*from 00:01:00 to 30.00:00:00 (Request-VpnQuote -Duration)*'
    }

    It 'exports a bought tunnel as a wg-quick file and a QR code, owner-only, and never over a file unasked' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        $folder = New-Item -ItemType Directory (Join-Path $Root "export-$($tunnel.Id)")

        $conf = $tunnel | Export-VpnTunnelConfig -Path $folder
        $png = $tunnel | Export-VpnTunnelConfig -Path $folder -Format QrCodePng

        $conf.Name | Should -Be "ivpn-$($tunnel.Id.Substring(0, 8)).conf"
        $conf.UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        $png.UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        $text = Get-Content -Raw $conf.FullName
        $text | Should -Be (Get-Content -Raw $tunnel.ConfigPath)
        $text | Should -Match "(?m)^Address = $([regex]::Escape($tunnel.Address))/32$"
        $text | Should -Match "(?m)^Endpoint = 192\.0\.2\.1:51820$"
        $text | Should -Match "(?m)^PublicKey = $([regex]::Escape($tunnel.SellerWireGuardKey))$"
        [byte[]] $signature = [IO.File]::ReadAllBytes($png.FullName)[0..7]
        $signature | Should -Be @(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)

        $tunnel | Export-VpnTunnelConfig -Path $folder -ErrorVariable failure -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.FileExists,*'
        ($tunnel | Export-VpnTunnelConfig -Path $folder -Force).FullName | Should -Be $conf.FullName
        $elsewhere = Join-Path $folder 'whatif.conf'
        $tunnel | Export-VpnTunnelConfig -Path $elsewhere -WhatIf
        Test-Path $elsewhere | Should -BeFalse
        Export-VpnTunnelConfig -Id nosuch -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ContractNotFound,*'

        # A folder that does not exist yet: -WhatIf creates nothing; the real run creates it and writes one file per
        # tunnel into it, never a file named after the folder.
        $second = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        $exports = Join-Path $folder 'exports'
        $tunnel, $second | Export-VpnTunnelConfig -Path $exports -WhatIf
        Test-Path $exports | Should -BeFalse
        $written = @($tunnel, $second | Export-VpnTunnelConfig -Path $exports)
        $written.Count | Should -Be 2
        (Get-Item $exports).PSIsContainer | Should -BeTrue
        @(Get-ChildItem $exports -File).Count | Should -Be 2
    }

    It 'removes a tunnel only with -Force while it has paid time left, and keeps the contract and its proof' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        $key = Join-Path (Split-Path $tunnel.ConfigPath) "$($tunnel.Id).key"
        Test-Path $key | Should -BeTrue

        Remove-VpnTunnel -Id $tunnel.Id -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.TunnelStillActive,*'
        Test-Path $key | Should -BeTrue -Because 'a refused removal deletes nothing'
        # -WhatIf promises only what the real run would do: here, nothing but the same refusal.
        Remove-VpnTunnel -Id $tunnel.Id -WhatIf -ErrorVariable whatIfRefused -ErrorAction SilentlyContinue
        $whatIfRefused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.TunnelStillActive,*'

        $removed = $tunnel | Remove-VpnTunnel -Force -PassThru
        $removed.Removed | Should -BeTrue
        Test-Path $key | Should -BeFalse
        Test-Path $tunnel.ConfigPath | Should -BeFalse
        $kept = Get-VpnTunnel -Id $tunnel.Id -WarningVariable renew -WarningAction SilentlyContinue
        $kept.HasProofOfPayment | Should -BeTrue
        $kept.Removed | Should -BeTrue
        $kept.State | Should -Be 'Removed'
        $renew | Should -BeNullOrEmpty -Because 'a removed tunnel has nothing left here to renew'
        Get-VpnTunnel -Id $tunnel.Id -WarnWithin '1.00:00:00' -WarningVariable stillNone -WarningAction SilentlyContinue | Out-Null
        $stillNone | Should -BeNullOrEmpty
        $tunnel | Export-VpnTunnelConfig -Path (Join-Path $Root 'gone.conf') -ErrorVariable gone -ErrorAction SilentlyContinue
        $gone[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.InvalidOperation,*'
    }

    It 'accepts a quote by -PubKey -Nonce -Price, as the original API did' {
        $quote = Request-VpnQuote $Bob -Duration '00:10:00'
        $tunnel = Confirm-VpnContract -PubKey $Bob -Nonce $quote.Nonce -Price $quote.PriceSat -ConfigOnly
        $tunnel.State | Should -Be 'Active'
    }

    It 'takes a quote from the pipeline by property name' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $tunnel = Request-VpnQuote $Bob -Duration '00:05:00' | Select-Object SellerPubKey, Nonce, PriceSat | Confirm-VpnContract -ConfigOnly
        $tunnel.State | Should -Be 'Active'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 100000)
    }

    It 'refreshes a tunnel from the pipeline and moves its expiry' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        $refreshed = $tunnel | Update-VpnContract -Duration '01:00:00' -MaxPriceSat 5000
        ($refreshed.ExpiresAt - $tunnel.ExpiresAt).TotalSeconds | Should -Be 3600
    }

    It 'refuses a price above -MaxPriceSat with a stable error id and pays nothing' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $quote = Request-VpnQuote $Bob -Duration '02:00:00'
        $quote | Confirm-VpnContract -ConfigOnly -MaxPriceSat 100 -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.PriceAboveMaximum,*'
        $failure[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
    }

    It 'pays nothing with -WhatIf' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        Request-VpnQuote $Bob | Confirm-VpnContract -ConfigOnly -WhatIf
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
    }

    It 'shows the amount, the fee cap and the seller before paying, with -Verbose' {
        $shown = Request-VpnQuote $Bob -Duration '00:30:00' | Confirm-VpnContract -ConfigOnly -MaxRoutingFeeSat 7 -Verbose 4>&1
        $tunnel = @($shown | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] })[0]
        $tunnel.State | Should -Be 'Active'
        $first = @($shown | Where-Object { $_ -is [Management.Automation.VerboseRecord] })[0].Message
        $first | Should -BeLike "*Pay 600 sat (fee at most 7 sat) to $Bob for a 00:30:00 tunnel*"
        $refresh = $tunnel | Update-VpnContract -Duration '00:15:00' -Verbose 4>&1
        @($refresh | Where-Object { $_ -is [Management.Automation.VerboseRecord] })[0].Message |
            Should -BeLike "*Pay at most 300 sat (fee at most 10 sat) to $Bob for 00:15:00 more on contract $($tunnel.Id)*"
    }

    It 'limits the routing fee to 1% of a larger amount, counts that limit in the confirmation threshold, and keeps -FeeLimitSat as the old name' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        # Three hours at 1,200 sat an hour: 3,600 sat, whose default fee limit is 36 sat (1%, not the 10 sat floor).
        $quote = Request-VpnQuote $Bob -Duration '03:00:00'
        $shown = $quote | Confirm-VpnContract -ConfigOnly -ConfirmAboveSat 3600 -Verbose -ErrorVariable failure -ErrorAction SilentlyContinue 4>&1
        @($shown | Where-Object { $_ -is [Management.Automation.VerboseRecord] })[0].Message |
            Should -BeLike "*Pay 3600 sat (fee at most 36 sat) to $Bob for a 03:00:00 tunnel*"
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ConfirmationRequired,*'
        $failure[0].Exception.Message | Should -Match 'up to 3636 sat'
        $quote | Confirm-VpnContract -ConfigOnly -FeeLimitSat 0 -ConfirmAboveSat 3600 -WhatIf
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        (Get-Command Confirm-VpnContract).Parameters['MaxRoutingFeeSat'].Aliases | Should -Contain 'FeeLimitSat'
        (Get-Command Update-VpnContract).Parameters['MaxRoutingFeeSat'].Aliases | Should -Contain 'FeeLimitSat'
    }

    It 'refuses a payment above -ConfirmAboveSat or $ImpVpnConfirmAboveSat where nobody can be asked, unless -Force' {
        # This suite runs in pwsh -NonInteractive: the scheduled-task case, where a prompt is impossible.
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $count = @(Get-VpnTunnel).Count
        Request-VpnQuote $Bob -Duration '00:30:00' | Confirm-VpnContract -ConfigOnly -ConfirmAboveSat 500 -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ConfirmationRequired,*'
        $failure[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure[0].Exception.Message | Should -Match 'up to 610 sat, above the confirmation threshold of 500 sat'
        $failure[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        @(Get-VpnTunnel).Count | Should -Be $count

        $global:ImpVpnConfirmAboveSat = 500
        try {
            $tunnel = Request-VpnQuote $Bob -Duration '00:30:00' | Confirm-VpnContract -ConfigOnly -Force
            $tunnel | Update-VpnContract -Duration '00:30:00' -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ConfirmationRequired,*'
            $refused[0].TargetObject | Should -Be $tunnel.Id
            $within = $tunnel | Update-VpnContract -Duration '00:20:00'
            ($within.ExpiresAt - $tunnel.ExpiresAt).TotalSeconds | Should -Be 1200
        }
        finally { Remove-Variable ImpVpnConfirmAboveSat -Scope Global }
    }

    It 'counts the largest maximum as the most a payment may cost, never as a sum that wraps past the threshold' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        # [long]::MaxValue and its 1% fee limit wrapped negative, and a negative "most" passed the threshold unasked.
        $tunnel | Update-VpnContract -Duration '00:10:00' -MaxPriceSat ([long]::MaxValue) -ConfirmAboveSat 500 -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ConfirmationRequired,*'
        $refused[0].Exception.Message | Should -Match "up to $([long]::MaxValue) sat"
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        # A routing-fee limit beyond all the bitcoin there is means nothing: refused as a parameter.
        { Confirm-VpnContract -Id $tunnel.Id -MaxRoutingFeeSat ([long]::MaxValue) -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.ConfirmVpnContractCommand'
    }

    It 'gives back the contract of a quote confirmed twice, paying once; another store reusing it is refused' {
        $quote = Request-VpnQuote $Bob -Duration '00:05:00'
        $first = $quote | Confirm-VpnContract -ConfigOnly
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $again = $quote | Confirm-VpnContract -ConfigOnly
        $again.Id | Should -Be $first.Id
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before

        Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'another-store') | Out-Null
        try {
            $quote | Confirm-VpnContract -ConfigOnly -ErrorVariable failure -ErrorAction SilentlyContinue
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.QuoteExpired,*'
            $failure[0].ErrorDetails.RecommendedAction | Should -Match 'Request-VpnQuote'
            (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        }
        finally {
            Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-Null
        }
    }

    It 'finishes or re-fetches a purchase by -Id without paying again' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:05:00' | Confirm-VpnContract -ConfigOnly
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        Remove-Item $tunnel.ConfigPath
        $again = Confirm-VpnContract -Id $tunnel.Id -ConfigOnly
        $again.Id | Should -Be $tunnel.Id
        $again.State | Should -Be 'Active'
        Test-Path $again.ConfigPath | Should -BeTrue
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
    }

    It 'refreshes every tunnel expiring soon within a total budget, and fails the run when the budget is short' {
        $a = Request-VpnQuote $Bob -Duration '00:02:00' | Confirm-VpnContract -ConfigOnly
        $b = Request-VpnQuote $Bob -Duration '00:02:00' | Confirm-VpnContract -ConfigOnly
        # Two refreshes of 10 minutes at 1,200 sat an hour: 400 sat, exactly the budget. The fee limit shrinks to what
        # is left (nothing here), and a direct channel costs no fee, so both are paid.
        $refreshed = Update-VpnContract -ExpiringWithin '00:03:00' -Duration '00:10:00' -TotalBudgetSat 400
        @($refreshed).Id | Should -Contain $a.Id
        @($refreshed).Id | Should -Contain $b.Id
        # An hour each (1,200 sat) from 1,500 (other tests' tunnels in this store are due too): one is refreshed, the
        # others are refused as over budget, each by name.
        $incomplete = $null
        try {
            Update-VpnContract -ExpiringWithin '00:20:00' -Duration '01:00:00' -TotalBudgetSat 1500 -FeeLimitSat 0 -ErrorVariable short -ErrorAction SilentlyContinue | Out-Null
        }
        catch {
            $incomplete = $_
        }
        $incomplete.FullyQualifiedErrorId | Should -Be 'ImpVpn.RefreshIncomplete,ImpVpn.PowerShell.Cmdlets.UpdateVpnContractCommand'
        $overBudget = @($short | Where-Object { $_.FullyQualifiedErrorId -like 'ImpVpn.BudgetExhausted,*' })
        $overBudget.Count | Should -BeGreaterOrEqual 1
        (Get-VpnTunnel -Id $overBudget[0].TargetObject -WarningAction SilentlyContinue).Id | Should -Be $overBudget[0].TargetObject
        $overBudget[0].Exception.Message | Should -Match $overBudget[0].TargetObject
        $overBudget[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }

    It 'refuses an expired quote before paying' {
        $quote = Request-VpnQuote $Bob -Duration '00:05:00'
        # The type lives in the module's own load context, so it is reached through the object, not by name.
        $expired = $quote.GetType()::new($quote.SellerPubKey, $quote.Nonce, $quote.PriceSat, $quote.Duration,
            [DateTimeOffset]::UtcNow.AddSeconds(-1), $quote.AddressFamily, $quote.Mode, $quote.Promise)
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $expired | Confirm-VpnContract -ConfigOnly -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.QuoteExpired,*'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
    }

    It 'reports an offline seller and pays nothing' {
        $quote = Request-VpnQuote $Bob -Duration '00:05:00'
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/down" | Out-Null
        try {
            $quote | Confirm-VpnContract -ConfigOnly -ErrorVariable failure -ErrorAction SilentlyContinue
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.SellerUnreachable,*'
            $failure[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        }
        finally {
            Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/up" | Out-Null
        }
    }

    It 'refuses an invoice with a tampered <_>, pays nothing and records nothing' -ForEach 'amount', 'payee', 'description_hash' {
        $quote = Request-VpnQuote $Bob -Duration '00:05:00'
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $tunnelsBefore = @(Get-VpnTunnel).Count
        # bob's node hands out its next invoice altered (yet validly signed), as a dishonest seller would.
        Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/faults" -ContentType 'application/json' -Body (@{ tamperNextInvoice = $_ } | ConvertTo-Json) | Out-Null
        $quote | Confirm-VpnContract -ConfigOnly -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.InvoiceMismatch,*'
        $failure[0].Exception.Message | Should -BeLike '*Nothing was paid*'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        @(Get-VpnTunnel).Count | Should -Be $tunnelsBefore
    }

    It 'reports a failed payment, records the contract as cancelled, and spends nothing' {
        $quote = Request-VpnQuote $Bob -Duration '00:05:00'
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        Invoke-RestMethod -Method Post "$($Sim.Control)nodes/alice/faults" -ContentType 'application/json' -Body '{"failNextPayment":"NO_ROUTE"}' | Out-Null
        $quote | Confirm-VpnContract -ConfigOnly -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.PaymentFailed,*'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
        @(Get-VpnTunnel | Where-Object State -eq 'Paying').Count | Should -Be 0
    }

    It 'keeps serving a contract after the seller restarts' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        Stop-SandboxProcess $script:Seller
        $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1200'
        $refreshed = $tunnel | Update-VpnContract -Duration '00:10:00'
        ($refreshed.ExpiresAt - $tunnel.ExpiresAt).TotalMinutes | Should -Be 10
    }

    It 'recovers a purchase whose buyer was killed between payment and activation, paying once' {
        $store = Join-Path $Root 'killed-buyer'
        $alice = Get-SandboxNode $Sim 'alice'
        $script = Join-Path $Root 'killed-buyer.ps1'
        @"
`$ErrorActionPreference = 'Stop'
Import-Module '$env:IMPVPN_MODULE'
Connect-VpnNode -RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest -StorePath '$store' | Out-Null
Request-VpnQuote $Bob -Duration 00:05:00 | Confirm-VpnContract -ConfigOnly
"@ | Set-Content $script
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        # bob's answers now take 3 s: the buyer is killed while it waits for the answer to activate.
        Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/faults" -ContentType 'application/json' -Body '{"customMessageDelayMs":3000}' | Out-Null
        try {
            $buyer = Start-Process dotnet -ArgumentList 'tool', 'run', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script -WorkingDirectory $env:IMPVPN_REPO -PassThru
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Get-ChildItem (Join-Path $store 'contracts/bought') -Filter *.json -ErrorAction SilentlyContinue)) {
                if ((Get-Date) -gt $deadline) { throw 'The buyer never recorded its contract.' }
                Start-Sleep -Milliseconds 50
            }
            # Killed once bob holds the payment (its invoice ACCEPTED; alice's balance would also show the route
            # probe's HTLC for a moment) and before bob's delayed answer to activate can reach the buyer.
            $hash = (Get-ChildItem (Join-Path $store 'contracts/bought') -Filter *.json | Get-Content -Raw | ConvertFrom-Json).PaymentHash
            while ((Invoke-RestMethod "$($Sim.Control)nodes/bob/invoices/$hash" -SkipHttpErrorCheck).state -ne 'ACCEPTED') {
                if ((Get-Date) -gt $deadline) { throw 'The payment was never held.' }
                Start-Sleep -Milliseconds 20
            }
            $buyer.Kill($true)
            $buyer.WaitForExit()
        }
        finally {
            Invoke-RestMethod -Method Post "$($Sim.Control)nodes/bob/faults" -ContentType 'application/json' -Body '{"customMessageDelayMs":0}' | Out-Null
        }
        $record = Get-ChildItem (Join-Path $store 'contracts/bought') -Filter *.json | Get-Content -Raw | ConvertFrom-Json
        $record.State | Should -Be 'Paying'
        # 5 minutes at 1,200 sat an hour: 100 sat, over a direct channel (no routing fee).
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 100000) -Because 'the payment went through before the buyer died'

        Connect-SandboxNode $Sim 'alice' $store | Out-Null
        try {
            $recovered = Confirm-VpnContract -Id $record.Id -ConfigOnly
            $recovered.State | Should -Be 'Active'
            $recovered.HasProofOfPayment | Should -BeTrue
            (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 100000) -Because 'recovery must not pay again'
        }
        finally {
            Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-Null
        }
    }

    It 'asks a seller at the address given as pubkey@host:port' {
        $address = (Get-SandboxNode $Sim 'bob').p2pAddress
        $quote = Request-VpnQuote "$Bob@$address" -Duration '00:10:00'
        $quote.SellerPubKey | Should -Be $Bob
        $quote.SellerNodeAddress | Should -Be $address
        { Request-VpnQuote "$Bob@nowhere" } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.RequestVpnQuoteCommand'
    }

    It 'rejects a malformed pubkey before doing anything' {
        { Request-VpnQuote -PubKey 'not-a-key' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.RequestVpnQuoteCommand'
    }
}

Describe 'Streams and completion' {
    It 'tells what happens with -Verbose and -Debug, and no stream or view shows a secret' {
        $records = & {
            Request-VpnQuote $Bob -Duration '00:05:00' -Verbose -Debug | Confirm-VpnContract -ConfigOnly -Verbose -Debug
        } 3>&1 4>&1 5>&1 6>&1
        $tunnel = $records | Where-Object { $_.GetType().Name -eq 'VpnTunnel' }
        $tunnel.State | Should -Be 'Active'
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $debug = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] })
        $verbose.Count | Should -BeGreaterThan 3
        ($verbose -join "`n") | Should -Match 'invoice'
        ($verbose + $debug -join "`n") | Should -Match 'pa(id|y)'
        $debug.Count | Should -BeGreaterThan 0

        $buyerStore = Join-Path $Root 'buyer'
        $sellerStore = Join-Path $Root 'seller'
        $record = Get-Content -Raw (Join-Path $buyerStore "contracts/bought/$($tunnel.Id).json") | ConvertFrom-Json
        $secrets = @(
            $record.Preimage
            ((Get-Content $tunnel.ConfigPath | Select-String '^PrivateKey\s*=\s*(\S+)').Matches.Groups[1].Value)
            Get-ChildItem (Join-Path $buyerStore 'keys'), (Join-Path $sellerStore 'keys') -File | ForEach-Object { (Get-Content -Raw $_).Trim() }
            foreach ($name in 'alice', 'bob') { [Convert]::ToHexString([IO.File]::ReadAllBytes((Get-SandboxNode $Sim $name).macaroonPath)) }
        ) | Where-Object { $_ -and $_.Length -ge 32 }
        $secrets.Count | Should -BeGreaterOrEqual 4 -Because 'the preimage, the tunnel key and both macaroons must be checked'

        $shown = @(
            $records | ForEach-Object { "$_" }
            $tunnel | Format-List * | Out-String
            $tunnel | Format-Table | Out-String
            Get-VpnTunnel -Id $tunnel.Id | Format-List * | Out-String
            Get-Content -Raw (Join-Path $Sim.Directory 'seller-bob.log')
        ) -join "`n"
        foreach ($secret in $secrets) {
            $shown.Contains($secret, [StringComparison]::OrdinalIgnoreCase) | Should -BeFalse -Because 'no secret may be shown or logged'
        }
    }

    It 'shows tunnels, quotes, nodes, sold contracts, earnings and the daemon in default tables that fit 120 columns' {
        $views = [xml] (Get-Content -Raw (Join-Path $env:IMPVPN_MODULE 'ImpVpn.Format.ps1xml'))
        # The seller's views read the seller's store: this session looks at it, then returns to the buyer's.
        function Show-AsSeller([scriptblock] $Look) {
            Connect-SandboxNode $Sim 'bob' (Join-Path $Root 'seller') | Out-Null
            try { & $Look | Out-String -Width 120 }
            finally { Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-Null }
        }
        foreach ($view in $views.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl }) {
            $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
            $width = ($headers | ForEach-Object { [int] $_.Width } | Measure-Object -Sum).Sum + $headers.Count - 1
            $width | Should -BeLessOrEqual 120 -Because "$($view.Name) is $width columns wide"
            $output = switch ($view.Name) {
                'VpnTunnel' { Get-VpnTunnel -WarningAction SilentlyContinue | Out-String -Width 120 }
                'VpnQuote' { Request-VpnQuote $Bob | Out-String -Width 120 }
                # bob is alice's peer in the graph: asked once gossip has carried his bit there (bounded wait, no fixed sleep).
                'VpnOffer' {
                    $deadline = (Get-Date).AddSeconds(30)
                    do { $found = @(Find-VpnProvider -Timeout 00:00:05 -WarningAction SilentlyContinue) } until ($found.Count -gt 0 -or (Get-Date) -gt $deadline)
                    $found | Out-String -Width 120
                }
                'VpnNode' { Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-String -Width 120 }
                # Nothing installed under an empty root: the view's columns all the same.
                'VpnDaemon' { Get-VpnDaemon -Root (New-Item -ItemType Directory -Force (Join-Path $Root 'daemon-root')).FullName | Out-String -Width 120 }
                'VpnSoldContract' { Show-AsSeller { Get-VpnSoldContract } }
                'VpnEarning' { Show-AsSeller { Get-VpnEarning } }
            }
            $headerLine = ($output -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
            foreach ($label in $headers.Label) { $headerLine | Should -Match "\b$label\b" -Because "$($view.Name) must show $label at 120 columns" }
        }
    }

    It 'adds PricePerHourSat to quotes and the Traffic and Payment property sets to tunnels' {
        (Request-VpnQuote $Bob -Duration '00:30:00').PricePerHourSat | Should -Be 1200
        $tunnel = Get-VpnTunnel -WarningAction SilentlyContinue | Select-Object -First 1
        ($tunnel | Select-Object Traffic).PSObject.Properties.Name | Should -Be 'Id', 'State', 'LastHandshake', 'ReceivedBytes', 'SentBytes'
        ($tunnel | Select-Object Payment).PaidSat | Should -Be $tunnel.PaidSat
    }

    It 'completes tunnel ids from the store' {
        $ids = @(Get-VpnTunnel -WarningAction SilentlyContinue | ForEach-Object Id)
        $ids.Count | Should -BeGreaterThan 1
        foreach ($line in 'Get-VpnTunnel -Id ', 'Update-VpnContract -Id ', 'Confirm-VpnContract -Id ') {
            $completed = @((TabExpansion2 $line $line.Length).CompletionMatches.CompletionText)
            $completed | Sort-Object | Should -Be ($ids | Sort-Object) -Because $line
        }
        $prefix = $ids[0].Substring(0, 3)
        $line = "Get-VpnTunnel -Id $prefix"
        $completed = @((TabExpansion2 $line $line.Length).CompletionMatches.CompletionText)
        $completed | Should -Contain $ids[0]
        $completed | ForEach-Object { $_ | Should -BeLike "$prefix*" }
    }

    It 'completes seller pubkeys from past contracts and connected peers' {
        $carol = (Get-SandboxNode $Sim 'carol').pubKey
        Invoke-RestMethod -Method Post "$($Sim.Control)peers" -ContentType 'application/json' -Body (@{ a = 'alice'; b = 'carol' } | ConvertTo-Json) | Out-Null
        foreach ($line in 'Request-VpnQuote -PubKey ', 'Request-VpnQuote ', 'Confirm-VpnContract -PubKey ', 'Get-VpnTunnel -SellerPubKey ') {
            $matches_ = (TabExpansion2 $line $line.Length).CompletionMatches
            ($matches_ | Where-Object CompletionText -eq $Bob).ToolTip | Should -BeLike 'seller of *' -Because $line
            ($matches_ | Where-Object CompletionText -eq $carol).ToolTip | Should -BeLike 'connected peer*' -Because $line
        }
        $line = "Request-VpnQuote $($carol.Substring(0, 6))"
        @((TabExpansion2 $line $line.Length).CompletionMatches.CompletionText) | Should -Be @($carol)
    }

    It 'completes nothing, and creates no store, where none exists' {
        $empty = Join-Path $Root 'no-store-here'
        $script = Join-Path $Root 'complete-empty.ps1'
        @"
Import-Module '$env:IMPVPN_MODULE'
`$env:IMPVPN_HOME = '$empty'
(TabExpansion2 'Get-VpnTunnel -Id ' 18).CompletionMatches.Count
"@ | Set-Content $script
        Push-Location $env:IMPVPN_REPO
        try { $count = dotnet tool run pwsh -NoProfile -NonInteractive -File $script } finally { Pop-Location }
        $count | Should -Be '0'
        Test-Path $empty | Should -BeFalse
    }
}

Describe 'A seller that raises its price' {
    It 'refreshes at most at the contract''s own price per hour, unless -MaxPriceSat allows more' {
        $tunnel = Request-VpnQuote $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly
        Stop-SandboxProcess $Seller
        $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 120000'
        $before = Get-SandboxBalanceMsat $Sim 'alice'

        Update-VpnContract -Id $tunnel.Id -Duration '01:00:00' -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.PriceAboveMaximum,*'
        $refused[0].Exception.Message | Should -Match 'costs 120000 sat; the contract''s own price \(200 sat for 00:10:00\) allows 1200 sat'
        $refused[0].ErrorDetails.RecommendedAction | Should -Match '-MaxPriceSat'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before

        $refreshed = Update-VpnContract -Id $tunnel.Id -Duration '01:00:00' -MaxPriceSat 120000
        ($refreshed.ExpiresAt - $tunnel.ExpiresAt).TotalSeconds | Should -Be 3600
    }
}
