# The purchase end to end as two operators would do it, with real tunnels: the buyer's and the seller's pwsh each
# run inside their own network namespace; the LND simulator runs outside and is reached over veth links.
# Needs root, ip, wireguard-go and ping: without them the test reports skipped, with the reason.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Missing = Test-SandboxCanTunnel
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Missing = Test-SandboxCanTunnel
    if (-not $Missing) {
        $script:Hosts = New-SandboxHosts
        $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-netns-$($Hosts.Tag)")).FullName
        $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node "alice@$($Hosts.BuyerLnd)", "bob@$($Hosts.SellerLnd)"
        $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') "-Endpoint $($Hosts.SellerUnderlay):51820 -InterfaceName ivS$($Hosts.Tag) -Subnet $($Hosts.Subnet) -PricePerHourSat 3600 -MinimumDuration 00:00:01" -Prefix "ip netns exec $($Hosts.Seller)"
        $alice = Get-SandboxNode $Sim 'alice'
        $script:Connect = "Connect-VpnNode -RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest -StorePath '$(Join-Path $Root 'buyer')' | Out-Null"
        $script:Bob = (Get-SandboxNode $Sim 'bob').pubKey
    }
}

AfterAll {
    if (-not $Missing) {
        Stop-SandboxProcess $Seller
        Stop-SandboxProcess $Sim.Process
        Remove-SandboxHosts $Hosts
        Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'A tunnel bought between two network namespaces' -Skip:([bool] $Missing) {
    It 'carries packets, costs exactly price plus fee, refreshes on both sides, and stops at expiry' {
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $bought = Invoke-InNamespace $Hosts.Buyer $Root @"
$Connect
`$tunnel = Request-VpnQuote -PubKey $Bob -Duration 00:00:12 | Confirm-VpnContract -MaxPriceSat 100
ping -c 2 -W 2 `$tunnel.SellerTunnelAddress | Out-Null
`$pingOk = `$LASTEXITCODE -eq 0
[pscustomobject]@{ Tunnel = (Get-VpnTunnel -Id `$tunnel.Id); PingOk = `$pingOk } | ConvertTo-Json -Compress -Depth 4
"@
        $bought.Tunnel.State | Should -Be 'Active'
        $bought.PingOk | Should -BeTrue
        $bought.Tunnel.LastHandshake | Should -Not -BeNullOrEmpty
        $bought.Tunnel.ReceivedBytes | Should -BeGreaterThan 0
        $bought.Tunnel.PriceSat | Should -Be 12
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be ($before - 12000 - $bought.Tunnel.FeeSat * 1000)

        $id = $bought.Tunnel.Id
        $refreshed = Invoke-InNamespace $Hosts.Buyer $Root @"
$Connect
Update-VpnContract -Id $id -Duration 00:00:04 -MaxPriceSat 100 | ConvertTo-Json -Compress
"@
        ([DateTimeOffset] $refreshed.ExpiresAt - [DateTimeOffset] $bought.Tunnel.ExpiresAt).TotalSeconds | Should -Be 4
        $sellerRecord = Get-Content -Raw (Join-Path $Root "seller/contracts/sold/$id.json") | ConvertFrom-Json
        ([DateTimeOffset] $sellerRecord.ExpiresAt) | Should -Be ([DateTimeOffset] $refreshed.ExpiresAt)

        $wait = ([DateTimeOffset] $refreshed.ExpiresAt - [DateTimeOffset]::UtcNow).TotalSeconds + 3
        if ($wait -gt 0) { Start-Sleep -Seconds $wait }
        ip netns exec $Hosts.Buyer ping -c 2 -W 1 $bought.Tunnel.SellerTunnelAddress | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the seller removes the peer when the contract expires'
        # A finished contract leaves the seller's live folder for its archive.
        (Get-Content -Raw (Join-Path $Root "seller/contracts/sold/archive/$id.json") | ConvertFrom-Json).State | Should -Be 'Expired'
        $after = Invoke-InNamespace $Hosts.Buyer $Root @"
$Connect
Get-VpnTunnel -Id $id | ConvertTo-Json -Compress
"@
        $after.State | Should -Be 'Expired' -Because 'the buyer shows a tunnel whose time has run out as expired'

        $removed = Invoke-InNamespace $Hosts.Buyer $Root @"
$Connect
Remove-VpnTunnel -Id $id -PassThru | ConvertTo-Json -Compress
"@
        $removed.Removed | Should -BeTrue
        $removed.HasProofOfPayment | Should -BeTrue
        ip -n $Hosts.Buyer link show dev $bought.Tunnel.InterfaceName 2>$null | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'Remove-VpnTunnel takes the interface (and its wireguard-go) down'
    }

    It 'refunds the buyer when the seller cannot add its peer' {
        # Take the seller's interface away: adding the buyer's peer then fails and the seller must cancel its invoice.
        ip -n $Hosts.Seller link del "ivS$($Hosts.Tag)"
        $before = Get-SandboxBalanceMsat $Sim 'alice'
        $result = Invoke-InNamespace $Hosts.Buyer $Root @"
$Connect
Request-VpnQuote -PubKey $Bob -Duration 00:01:00 | Confirm-VpnContract -MaxPriceSat 100 -ErrorVariable failure -ErrorAction SilentlyContinue
[pscustomobject]@{ Id = `$failure[0].FullyQualifiedErrorId; Message = `$failure[0].Exception.Message } | ConvertTo-Json -Compress
"@
        $result.Id | Should -BeLike 'ImpVpn.ActivationFailed,*'
        $result.Message | Should -BeLike '*refunded*'
        (Get-SandboxBalanceMsat $Sim 'alice') | Should -Be $before
    }
}
