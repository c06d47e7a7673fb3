# Finding sellers with Find-VpnProvider over a simulated graph of 20 nodes (a ring of public channels), five
# sellers of different offers (price, address family, durations) and one that says it sells but never answers, and
# buying through the pipeline Find-VpnProvider | Request-VpnQuote | Sort-Object | Select-Object | Confirm-VpnContract.
# Config-only: exits need namespaces (the xunit suite covers finding exit sellers).
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-pester-$([guid]::NewGuid().ToString('N'))")).FullName
    $names = 0..19 | ForEach-Object { 'n{0:00}' -f $_ }
    # Half of each channel pushed to the far side, so payments go either way round the ring.
    $channels = 0..19 | ForEach-Object { '{0}:{1}:2000000:1000000' -f $names[$_], $names[($_ + 1) % 20] }
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node $names -Channel $channels -GossipDelayMs 300
    $script:Sellers = @(
        Start-SandboxSeller $Sim 'n03' (Join-Path $Root 's03') '-Endpoint 192.0.2.3:51820 -ConfigOnly -PricePerHourSat 1500 -InterfaceName ivd3'
        Start-SandboxSeller $Sim 'n05' (Join-Path $Root 's05') '-Endpoint 192.0.2.5:51820 -ConfigOnly -PricePerHourSat 700 -InterfaceName ivd5 -Subnet fd75::/120'
        Start-SandboxSeller $Sim 'n15' (Join-Path $Root 's15') '-Endpoint 192.0.2.15:51820 -ConfigOnly -PricePerHourSat 900 -InterfaceName ivd15 -MaximumDuration 02:00:00'
        Start-SandboxSeller $Sim 'n17' (Join-Path $Root 's17') '-Endpoint 192.0.2.17:51820 -ConfigOnly -PricePerHourSat 2500 -InterfaceName ivd17 -MinimumDuration 01:00:00'
        Start-SandboxSeller $Sim 'n06' (Join-Path $Root 's06') '-Endpoint 192.0.2.6:51820 -ConfigOnly -PricePerHourSat 4000 -InterfaceName ivd6 -Subnet fd76::/120'
        Start-SandboxSeller $Sim 'n12' (Join-Path $Root 's12') '-Endpoint 192.0.2.12:51820 -ConfigOnly -PricePerHourSat 10 -InterfaceName ivd12'
    )
    # n12 says it sells (its bit is set) and then never answers: its node drops every custom message.
    Invoke-RestMethod -Method Post "$($Sim.Control)nodes/n12/faults" -ContentType application/json -Body '{"dropCustomMessages":true}' | Out-Null
    $script:Key = @{}
    foreach ($name in $names) { $Key[$name] = (Get-SandboxNode $Sim $name).pubKey }
    Connect-SandboxNode $Sim 'n00' (Join-Path $Root 'buyer') | Out-Null
    # Gossip is not instant: wait until the five that answer are found (bounded), never a fixed sleep.
    $deadline = (Get-Date).AddSeconds(90)
    while (@(Find-VpnProvider -Timeout 00:00:03 -WarningAction SilentlyContinue).Count -lt 5) {
        if ((Get-Date) -gt $deadline) { throw 'The five sellers were not all found within 90 s.' }
    }
}

AfterAll {
    $Sellers | ForEach-Object { Stop-SandboxProcess $_ }
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Find-VpnProvider' {
    It 'finds the five sellers of the 20-node graph with their offers, cheapest first, and warns about the silent one' {
        $time = Measure-Command { $script:offers = @(Find-VpnProvider -Timeout 00:00:03 -WarningVariable warned -WarningAction SilentlyContinue) }
        $slowest = ($offers.AnswerTime | Measure-Object TotalMilliseconds -Maximum).Maximum
        Write-Host "Find-VpnProvider over 20 nodes (6 advertisers, 2 peers, -Timeout 3 s): $([math]::Round($time.TotalMilliseconds)) ms; slowest answer $([math]::Round($slowest)) ms (the silent seller takes the timeout; the plain peers are not asked)"

        $offers.SellerPubKey | Should -Be @($Key.n05, $Key.n15, $Key.n03, $Key.n17, $Key.n06)
        $offers[0].GetType().Name | Should -Be 'VpnOffer'
        $offers[0].Alias | Should -Be 'n05'
        $offers[0].Modes | Should -Be @('NodeToNode')
        $offers[0].AddressFamilies | Should -Be @('IPv6')
        $offers[0].PricePerHourSat | Should -Be 700
        # Found in the graph; a peer too by now, since asking for its offer (the wait above) connected to it.
        $offers[0].Source | Should -Be 'Graph, Peer'
        $offers[0].AnswerTime | Should -BeGreaterThan ([TimeSpan]::Zero)
        ($offers | Where-Object Alias -eq 'n15').MaximumDuration | Should -Be ([TimeSpan] '02:00:00')
        ($offers | Where-Object Alias -eq 'n17').MinimumDuration | Should -Be ([TimeSpan] '01:00:00')
        @($warned | Where-Object { "$_" -like '*n12*did not answer*' }).Count | Should -Be 1
        ($offers | Format-Table | Out-String) | Should -Match 'n05\s+\S+\s+NodeToNode\s+IPv6\s+700'
    }

    It 'filters by mode, address family, price and region' {
        @(Find-VpnProvider -Mode Exit -Timeout 00:00:03 -WarningAction SilentlyContinue).Count | Should -Be 0
        (Find-VpnProvider -AddressFamily IPv6 -Timeout 00:00:03 -WarningAction SilentlyContinue).Alias | Should -Be @('n05', 'n06')
        (Find-VpnProvider -MaxPricePerHourSat 1000 -Timeout 00:00:03 -WarningAction SilentlyContinue).Alias | Should -Be @('n05', 'n15')
        @(Find-VpnProvider -Region eu-west -Timeout 00:00:03 -WarningAction SilentlyContinue).Count | Should -Be 0
        { Find-VpnProvider -Mode Sideways } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.FindVpnProviderCommand'
    }

    It 'bounds what it asks: -Timeout at most 5 minutes, -MaxCandidates from 1, and no more nodes than that' {
        { Find-VpnProvider -Timeout 00:05:01 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.FindVpnProviderCommand'
        { Find-VpnProvider -MaxCandidates 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ImpVpn.PowerShell.Cmdlets.FindVpnProviderCommand'
        $few = @(Find-VpnProvider -MaxCandidates 2 -Timeout 00:00:03 -WarningAction SilentlyContinue -Verbose 4>&1)
        @($few | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*advertiser(s) left out*' }).Count | Should -Be 1
        @($few | Where-Object { $_.GetType().Name -eq 'VpnOffer' }).Count | Should -BeLessOrEqual 2
    }

    It 'composes: the cheapest offer for the mode asked is quoted and bought through the pipeline' {
        $tunnel = Find-VpnProvider -Mode NodeToNode -AddressFamily IPv4 -Timeout 00:00:03 -WarningAction SilentlyContinue |
            Request-VpnQuote -Duration 01:00:00 |
            Sort-Object PriceSat | Select-Object -First 1 |
            Confirm-VpnContract -ConfigOnly -MaxPriceSat 5000

        $tunnel.State | Should -Be 'Active'
        $tunnel.SellerPubKey | Should -Be $Key.n15
        $tunnel.PriceSat | Should -Be 900
        $tunnel.Mode | Should -Be 'NodeToNode'
        $tunnel.HasProofOfPayment | Should -BeTrue
    }

    It 'carries one -Mode and -AddressFamily to Request-VpnQuote, and none when several are given' {
        $one = Find-VpnProvider -Mode NodeToNode -AddressFamily IPv6 -Timeout 00:00:03 -WarningAction SilentlyContinue | Select-Object -First 1
        $one.Mode | Should -Be 'NodeToNode'
        $one.AddressFamily | Should -Be 'IPv6'
        ($one | Request-VpnQuote).AddressFamily | Should -Be 'ipv6'

        $several = Find-VpnProvider -Mode NodeToNode, Exit -Timeout 00:00:03 -WarningAction SilentlyContinue | Select-Object -First 1
        $several.PSObject.Properties.Name | Should -Not -Contain 'Mode'
        $several.PSObject.Properties.Name | Should -Not -Contain 'AddressFamily'
    }
}
