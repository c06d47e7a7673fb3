# The seller operator's view, as a user runs it: a seller runs Start-VpnProvider in its own pwsh, a buyer buys and
# refreshes, and this session looks at the seller's store (Get-VpnSoldContract, Get-VpnEarning, Get-VpnProvider)
# without a node connection, then stops the seller in the other process (Stop-VpnProvider). Config-only: no
# interfaces, so no traffic figures (the xunit suite reads a recorded interface).
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-pester-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node alice, bob
    $script:SellerStore = Join-Path $Root 'seller'
    $script:Seller = Start-SandboxSeller $Sim 'bob' $SellerStore '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1200 -Region ''eu-west'''
    $script:Bob = (Get-SandboxNode $Sim 'bob').pubKey
    $script:AlicePubKey = (Get-SandboxNode $Sim 'alice').pubKey

    Connect-SandboxNode $Sim 'alice' (Join-Path $Root 'buyer') | Out-Null
    $first = Request-VpnQuote -PubKey $Bob -Duration '00:30:00' | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000
    $second = Request-VpnQuote -PubKey $Bob -Duration '00:10:00' | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000
    $first = $first | Update-VpnContract -Duration '01:00:00' -MaxPriceSat 5000
    $script:Bought = @($first, $second)

    # The seller's operator: this session's store becomes the seller's, and the node connection is dropped (the store
    # path stays), since looking needs none.
    Connect-SandboxNode $Sim 'bob' $SellerStore | Out-Null
    Disconnect-VpnNode
}

AfterAll {
    Stop-SandboxProcess $Seller
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe "The seller operator's view" {
    It 'lists the sold contracts as typed objects, without a node connection and without secrets' {
        $sold = @(Get-VpnSoldContract)

        $sold.Count | Should -Be 2
        $sold[0] | Should -BeOfType ([ImpVpn.PowerShell.Output.VpnSoldContract])
        foreach ($tunnel in $Bought) {
            $contract = $sold | Where-Object Id -EQ $tunnel.Id
            $contract.BuyerPubKey | Should -Be $AlicePubKey
            $contract.BuyerTunnelAddress | Should -Be $tunnel.Address
            $contract.State | Should -Be 'Active'
            $contract.ExpiresAt | Should -Be $tunnel.ExpiresAt
            $contract.ReceivedSat | Should -Be $tunnel.PaidSat
            $contract.AwaitsClaim | Should -BeFalse
            # Config-only: no interface to read.
            $contract.ReceivedBytes | Should -BeNullOrEmpty
        }

        $sold[0].PSObject.Properties.Name | Should -Not -Contain 'Preimage'
        $shown = ($sold | Format-List * | Out-String) + ($sold | Format-Table | Out-String -Width 200)
        foreach ($file in Get-ChildItem (Join-Path $SellerStore 'contracts/sold') -Filter '*.json') {
            $preimage = (Get-Content -Raw $file.FullName | ConvertFrom-Json).Preimage
            $preimage | Should -Not -BeNullOrEmpty
            $shown.Contains($preimage, [StringComparison]::OrdinalIgnoreCase) | Should -BeFalse -Because 'a preimage is never shown'
        }
        (Get-VpnSoldContract -Id $Bought[1].Id).ReceivedSat | Should -Be 200
        @(Get-VpnSoldContract -State Expired, Cancelled).Count | Should -Be 0
        @(Get-VpnSoldContract -BuyerPubKey $AlicePubKey -IncludeArchived).Count | Should -Be 2
        $Bought[0] | Get-VpnSoldContract | Select-Object -ExpandProperty Id | Should -Be $Bought[0].Id
    }

    It 'shows buyer, address, state, expiry, sat received, bytes and handshake by default' {
        $view = Get-FormatData -TypeName ImpVpn.PowerShell.Output.VpnSoldContract
        @($view.FormatViewDefinition[0].Control.Headers.Label) |
            Should -Be @('Id', 'Buyer', 'Address', 'State', 'ExpiresAt', 'ReceivedSat', 'Rx', 'Tx', 'Handshake')

        $table = Get-VpnSoldContract -Id $Bought[1].Id | Out-String -Width 200
        $table | Should -Match ([regex]::Escape($AlicePubKey.Substring(0, 10) + '…'))
        $table | Should -Match ([regex]::Escape($Bought[1].Address))
        $table | Should -Match '\b200\b'
    }

    It 'completes -Id with the ids of the live sold contracts' {
        $line = 'Get-VpnSoldContract -Id '
        $completed = @((TabExpansion2 $line $line.Length).CompletionMatches.CompletionText)
        $completed | Sort-Object | Should -Be ($Bought.Id | Sort-Object)
    }

    It 'reports an id this store never sold as ImpVpn.ContractNotFound and lists the others' {
        $found = Get-VpnSoldContract -Id 'nosuchcontract', $Bought[0].Id -ErrorVariable missing -ErrorAction SilentlyContinue
        $found.Id | Should -Be $Bought[0].Id
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ContractNotFound,*'
        $missing[0].ErrorDetails.RecommendedAction | Should -Match 'Get-VpnSoldContract'
    }

    It 'sums by UTC day to what the buyer paid' {
        $days = @(Get-VpnEarning)

        $days[0] | Should -BeOfType ([ImpVpn.PowerShell.Output.VpnEarning])
        ($days | Measure-Object -Property ReceivedSat -Sum).Sum | Should -Be (($Bought | Measure-Object -Property PaidSat -Sum).Sum)
        ($days | Measure-Object -Property Contracts -Sum).Sum | Should -Be 2
        ($days | Measure-Object -Property Refreshes -Sum).Sum | Should -Be 1
        $days[-1].Date | Should -Be ([DateOnly]::FromDateTime([DateTime]::UtcNow))
        @(Get-VpnEarning -Since ([DateTime]::UtcNow.AddDays(1))).Count | Should -Be 0
        # A date without a time is a UTC day boundary, whatever this machine's time zone: one day gives its one row.
        $today = [DateTime]::UtcNow.Date
        $day = @(Get-VpnEarning -Since $today.ToString('yyyy-MM-dd') -Until $today.AddDays(1).ToString('yyyy-MM-dd'))
        $day.Count | Should -Be 1
        $day[0].Date | Should -Be ([DateOnly]::FromDateTime($today))
    }

    It 'shows the running seller from another process' {
        $provider = Get-VpnProvider

        $provider | Should -BeOfType ([ImpVpn.PowerShell.Output.VpnProvider])
        $provider.Running | Should -BeTrue
        $provider.StorePath | Should -Be $SellerStore
        Get-Process -Id $provider.ProcessId | Should -Not -BeNullOrEmpty
        $provider.NodePubKey | Should -Be $Bob
        $provider.Endpoint | Should -Be '192.0.2.1:51820'
        $provider.ConfigOnly | Should -BeTrue
        $provider.Subnet | Should -Be '10.77.0.0/24'
        $provider.PoolLeased | Should -Be 2
        $provider.PoolFree | Should -Be 251
        $provider.ActiveContracts | Should -Be 2
        $provider.PricePerHourSat | Should -Be 1200
        $provider.Modes | Should -Be @('NodeToNode')
        $provider.Region | Should -Be 'eu-west'
        $provider.Version | Should -Be (Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).ModuleVersion
        if (-not $IsWindows) {
            (Get-Item (Join-Path $SellerStore 'seller.sock')).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
    }

    It 'stops the seller running in another pwsh, which ends normally, and then says it is not running' {
        Stop-VpnProvider -WhatIf
        (Get-VpnProvider).Running | Should -BeTrue -Because '-WhatIf stops nothing'

        Stop-VpnProvider -Confirm:$false

        # Stop-VpnProvider returns once the seller has released the store and closed its control socket; its pwsh
        # then ends by itself.
        $Seller.WaitForExit(60000) | Should -BeTrue
        $Seller.ExitCode | Should -Be 0
        $stopped = Get-VpnProvider
        $stopped.Running | Should -BeFalse
        $stopped.ProcessId | Should -BeNullOrEmpty
        $stopped.ActiveContracts | Should -Be 2
        $stopped.PoolLeased | Should -Be 2
        @(Get-VpnSoldContract).Count | Should -Be 2 -Because 'stopping ends no contract'

        Stop-VpnProvider -Confirm:$false -ErrorVariable notRunning -ErrorAction SilentlyContinue
        $notRunning[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.ProviderNotRunning,*'
        $notRunning[0].ErrorDetails.RecommendedAction | Should -Match 'Start-VpnProvider'
    }
}
