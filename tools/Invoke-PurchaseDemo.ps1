#Requires -Version 7.4
<#
.SYNOPSIS
    Buys a tunnel on the LND simulator with ImpVpn's cmdlets, as a new user would, and shows it.
.DESCRIPTION
    As root with wireguard-go: the seller and the buyer each run in their own network namespace, the purchase sets up
    a real WireGuard tunnel and a ping crosses it. Otherwise: a config-only purchase, with the tunnel's wg-quick
    configuration printed (its private key masked; the full file is the 0600 file named by ConfigPath).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath
)
$ErrorActionPreference = 'Stop'
$env:IMPVPN_MODULE = (Resolve-Path $ModulePath).Path
$env:IMPVPN_SIMULATOR = $SimulatorPath
$env:IMPVPN_REPO = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $PSScriptRoot 'ImpVpn.Sandbox.psm1') -Force
Import-Module $env:IMPVPN_MODULE -Force
function Step([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

$root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
$whyNoTunnel = if ($env:IMPVPN_DEMO_CONFIG_ONLY) { 'IMPVPN_DEMO_CONFIG_ONLY is set' } else { Test-SandboxCanTunnel }
$hosts = $null; $sim = $null; $seller = $null
try {
    if ($whyNoTunnel) {
        Step "Config-only purchase ($whyNoTunnel)"
        Step 'Starting the LND simulator: alice (buyer) and bob (seller), with a 1,000,000 sat channel'
        $sim = Start-SandboxSimulator -Directory (Join-Path $root 'lnd') -Profile ideal
        Step 'bob runs Start-VpnProvider -ConfigOnly in his own pwsh'
        $seller = Start-SandboxSeller $sim 'bob' (Join-Path $root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1000'
        Step 'alice: Connect-VpnNode, then Request-VpnQuote | Confirm-VpnContract -ConfigOnly'
        Connect-SandboxNode $sim 'alice' (Join-Path $root 'buyer') | Format-List IdentityPubKey, Network, SyncedToChain | Out-Host
        $bob = (Get-SandboxNode $sim 'bob').pubKey
        $quote = Request-VpnQuote -PubKey $bob -Duration 01:00:00
        $quote | Out-Host
        $started = [Diagnostics.Stopwatch]::StartNew()
        $tunnel = $quote | Confirm-VpnContract -ConfigOnly -MaxPriceSat 2000
        Write-Host ("    bought in {0:n0} ms" -f $started.Elapsed.TotalMilliseconds)
        Step 'Get-VpnTunnel'
        Get-VpnTunnel | Out-Host
        Step "The tunnel's wg-quick configuration (private key masked; the real file is $($tunnel.ConfigPath), mode 0600)"
        (Get-Content -Raw $tunnel.ConfigPath) -replace '(?m)^PrivateKey = .*$', 'PrivateKey = (masked)' | Out-Host
    }
    else {
        Step 'Real tunnel: two network namespaces stand in for the buyer''s and the seller''s hosts'
        $hosts = New-SandboxHosts
        Step "A third namespace plays the internet: an HTTP service at 198.51.100.80 answers with the address a request came from"
        $hosts = Add-SandboxInternet $hosts
        Step 'Starting the LND simulator: alice (buyer) and bob (seller), with a 1,000,000 sat channel; gossip takes 1 s (LND: 90 s)'
        $sim = Start-SandboxSimulator -Directory (Join-Path $root 'lnd') -Node "alice@$($hosts.BuyerLnd)", "bob@$($hosts.SellerLnd)" -Profile ideal -GossipDelayMs 1000
        Step "bob runs Start-VpnProvider in namespace $($hosts.Seller), WireGuard on $($hosts.SellerUnderlay):51820, selling node-to-node tunnels and exits out of $($hosts.Egress)"
        $seller = Start-SandboxSeller $sim 'bob' (Join-Path $root 'seller') "-Endpoint $($hosts.SellerUnderlay):51820 -InterfaceName ivS$($hosts.Tag) -Subnet $($hosts.Subnet) -PricePerHourSat 1000 -Mode NodeToNode,Exit -EgressInterface $($hosts.Egress) -Resolver $($hosts.EchoAddress)" -Prefix "ip netns exec $($hosts.Seller)"
        $alice = Get-SandboxNode $sim 'alice'
        $bob = (Get-SandboxNode $sim 'bob').pubKey
        Step "alice, in namespace $($hosts.Buyer): Request-VpnQuote -PubKey $($bob.Substring(0, 16))… | Confirm-VpnContract, then ping and Get-VpnTunnel"
        $result = Invoke-InNamespace $hosts.Buyer $root @"
Connect-VpnNode -RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest -StorePath '$(Join-Path $root 'buyer')' | Out-Null
`$watch = [Diagnostics.Stopwatch]::StartNew()
`$tunnel = Request-VpnQuote -PubKey $bob -Duration 01:00:00 | Confirm-VpnContract -MaxPriceSat 2000
`$elapsed = `$watch.Elapsed.TotalMilliseconds
`$ping = ping -c 3 -W 2 `$tunnel.SellerTunnelAddress | Out-String
`$table = Get-VpnTunnel | Format-Table | Out-String -Width 120
[pscustomobject]@{ Elapsed = `$elapsed; Ping = `$ping; Table = `$table; Id = `$tunnel.Id } | ConvertTo-Json -Compress
"@
        Write-Host ("    bought and handshaken in {0:n0} ms (quote to first handshake)" -f $result.Elapsed)
        Step 'ping through the tunnel'
        Write-Host $result.Ping
        Step 'Get-VpnTunnel'
        Write-Host $result.Table
        Step "alice removes that tunnel (an exit takes all of a machine's traffic and shares it with no other tunnel), finds exit sellers and buys the cheapest: Find-VpnProvider -Mode Exit | Request-VpnQuote | Sort-Object PriceSat | Select-Object -First 1 | Confirm-VpnContract; then asks the internet's echo who she is"
        $exit = Invoke-InNamespace $hosts.Buyer $root @"
Connect-VpnNode -RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest -StorePath '$(Join-Path $root 'buyer')' | Out-Null
Remove-VpnTunnel -Id '$($result.Id)' -Force
`$before = try { Invoke-RestMethod -TimeoutSec 2 http://$($hosts.EchoAddress)/ } catch { 'unreachable' }
# A seller is found once gossip has carried its feature bit into alice's graph (1 s here; LND's is 90 s).
`$deadline = (Get-Date).AddSeconds(60)
do { `$found = @(Find-VpnProvider -Mode Exit -WarningAction SilentlyContinue) } until (`$found.Count -gt 0 -or (Get-Date) -gt `$deadline)
`$tunnel = `$found | Request-VpnQuote -Duration 01:00:00 | Sort-Object PriceSat | Select-Object -First 1 | Confirm-VpnContract -MaxPriceSat 2000
`$seen = (Invoke-RestMethod -TimeoutSec 10 http://$($hosts.EchoAddress)/).Trim()
`$resolver = (Get-Content /etc/resolv.conf | Where-Object { `$_ -match '^nameserver' }) -join ', '
Remove-VpnTunnel -Id `$tunnel.Id -Force
`$after = try { Invoke-RestMethod -TimeoutSec 2 http://$($hosts.EchoAddress)/ } catch { 'unreachable' }
`$restored = (Get-Content /etc/resolv.conf | Where-Object { `$_ -match '^nameserver' }) -join ', '
[pscustomobject]@{ Found = (`$found | Format-Table | Out-String -Width 120); Before = "`$before".Trim(); Seen = `$seen; Resolver = `$resolver; After = "`$after".Trim(); Restored = `$restored } | ConvertTo-Json -Compress
"@
        Write-Host "    Find-VpnProvider -Mode Exit found:"
        Write-Host $exit.Found
        Write-Host "    before the exit: the echo is $($exit.Before) from alice's host"
        Write-Host "    through the exit: the echo sees $($exit.Seen) (bob's egress address is $($hosts.EgressAddress)); resolv.conf: $($exit.Resolver)"
        Write-Host "    after Remove-VpnTunnel: the echo is $($exit.After); resolv.conf: $($exit.Restored)"
        if ($exit.Seen -ne $hosts.EgressAddress) { throw "The echo saw $($exit.Seen), not the seller's egress address $($hosts.EgressAddress)." }
    }
    Step ("alice's channel balance now: {0:n0} sat" -f ((Get-SandboxBalanceMsat $sim 'alice') / 1000))
}
finally {
    Stop-SandboxProcess $seller
    if ($sim) { Stop-SandboxProcess $sim.Process }
    if ($hosts) { Remove-SandboxHosts $hosts }
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
