# The purchase end to end as two operators would do it, with real tunnels: the buyer's and the seller's pwsh each
# run inside their own network namespace; the LND simulator runs outside and is reached over veth links.
# Needs root, ip, wireguard-go and ping: without them every test here reports skipped, with the reason.
BeforeDiscovery {
    $script:Missing = if (-not $IsLinux) { 'network namespaces exist only on Linux' }
    elseif ((id -u) -ne '0') { 'needs root for network namespaces and WireGuard interfaces' }
    else { @('ip', 'wireguard-go', 'ping') | Where-Object { -not (Get-Command $_ -ErrorAction SilentlyContinue) } | ForEach-Object { "$_ is not installed" } | Select-Object -First 1 }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestNetwork.psm1') -Force
    $script:Tag = -join ((48..57) + (97..102) | Get-Random -Count 6 | ForEach-Object { [char] $_ })
    $script:N = Get-Random -Minimum 100 -Maximum 250
    $script:Buyer = "ivp-a-$Tag"
    $script:SellerNs = "ivp-b-$Tag"
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-netns-$Tag")).FullName

    function Invoke-InNamespace([string] $Namespace, [string] $Script) {
        $file = Join-Path $Root "step-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content $file ("`$ErrorActionPreference = 'Stop'`nImport-Module '$env:IMPVPN_TEST_MODULE'`n" + $Script)
        Push-Location $env:IMPVPN_TEST_REPO
        try { $output = & ip netns exec $Namespace dotnet tool run pwsh -NoProfile -NonInteractive -File $file 2>&1 }
        finally { Pop-Location }
        if ($LASTEXITCODE -ne 0) { throw "In $Namespace : $output" }
        $output | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
    }

    if (-not $Missing) {
        ip netns add $Buyer; ip netns add $SellerNs
        foreach ($ns in $Buyer, $SellerNs) { ip -n $ns link set lo up }
        # Underlay between buyer and seller, for WireGuard.
        ip link add "iva$Tag" netns $Buyer type veth peer name "ivb$Tag" netns $SellerNs
        ip -n $Buyer addr add "192.168.$N.1/24" dev "iva$Tag"; ip -n $Buyer link set "iva$Tag" up
        ip -n $SellerNs addr add "192.168.$N.2/24" dev "ivb$Tag"; ip -n $SellerNs link set "ivb$Tag" up
        # Links from the root namespace, where the LND simulator listens, into each namespace.
        ip link add "ivra$Tag" type veth peer name "ivxa$Tag" netns $Buyer
        ip addr add "10.251.$N.1/24" dev "ivra$Tag"; ip link set "ivra$Tag" up
        ip -n $Buyer addr add "10.251.$N.2/24" dev "ivxa$Tag"; ip -n $Buyer link set "ivxa$Tag" up
        ip link add "ivrb$Tag" type veth peer name "ivxb$Tag" netns $SellerNs
        ip addr add "10.252.$N.1/24" dev "ivrb$Tag"; ip link set "ivrb$Tag" up
        ip -n $SellerNs addr add "10.252.$N.2/24" dev "ivxb$Tag"; ip -n $SellerNs link set "ivxb$Tag" up

        $script:Sim = Start-TestSimulator -Directory (Join-Path $Root 'lnd') -Node "alice@10.251.$N.1", "bob@10.252.$N.1"
        $script:Seller = Start-TestSeller $Sim 'bob' (Join-Path $Root 'seller') "-Endpoint 192.168.$N.2:51820 -InterfaceName ivS$Tag -Subnet 10.78.$N.0/24 -PricePerHourSat 3600 -MinimumDuration 00:00:01" -Prefix "ip netns exec $SellerNs"
        $alice = Get-TestNode $Sim 'alice'
        $script:Connect = "Connect-VpnNode -RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest -StorePath '$(Join-Path $Root 'buyer')' | Out-Null"
        $script:Bob = (Get-TestNode $Sim 'bob').pubKey
    }
}

AfterAll {
    if (-not $Missing) {
        Stop-TestProcess $Seller
        Stop-TestProcess $Sim.Process
        foreach ($ns in $Buyer, $SellerNs) {
            # SIGTERM, not SIGKILL: wireguard-go then removes its socket from the folder all namespaces share.
            foreach ($processId in (ip netns pids $ns)) { kill $processId 2>$null }
            Start-Sleep -Milliseconds 500
            foreach ($processId in (ip netns pids $ns)) { kill -9 $processId 2>$null }
            ip netns del $ns
        }
        Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'A tunnel bought between two network namespaces' -Skip:([bool] $Missing) {
    It 'carries packets, costs exactly price plus fee, refreshes on both sides, and stops at expiry' {
        $before = Get-TestBalanceMsat $Sim 'alice'
        $bought = Invoke-InNamespace $Buyer @"
$Connect
`$tunnel = Request-VpnQuote -PubKey $Bob -Duration 00:00:12 | Confirm-VpnContract -MaxPriceSat 100
`$ping = (ping -c 2 -W 2 `$tunnel.SellerAddress | Out-String)
`$live = Get-VpnTunnel -Id `$tunnel.Id
[pscustomobject]@{ Tunnel = `$live; PingOk = (`$LASTEXITCODE -eq 0) } | ConvertTo-Json -Compress -Depth 4
"@
        $bought.Tunnel.State | Should -Be 'Active'
        $bought.PingOk | Should -BeTrue
        $bought.Tunnel.LastHandshake | Should -Not -BeNullOrEmpty
        $bought.Tunnel.ReceivedBytes | Should -BeGreaterThan 0
        $bought.Tunnel.PriceSat | Should -Be 12
        (Get-TestBalanceMsat $Sim 'alice') | Should -Be ($before - 12000 - $bought.Tunnel.FeeSat * 1000)

        $id = $bought.Tunnel.Id
        $refreshed = Invoke-InNamespace $Buyer @"
$Connect
Update-VpnContract -Id $id -Duration 00:00:04 -MaxPriceSat 100 | ConvertTo-Json -Compress
"@
        ([DateTimeOffset] $refreshed.ExpiresAt - [DateTimeOffset] $bought.Tunnel.ExpiresAt).TotalSeconds | Should -Be 4
        $sellerRecord = Get-Content -Raw (Join-Path $Root "seller/contracts/$id.json") | ConvertFrom-Json
        ([DateTimeOffset] $sellerRecord.ExpiresAt) | Should -Be ([DateTimeOffset] $refreshed.ExpiresAt)

        $wait = ([DateTimeOffset] $refreshed.ExpiresAt - [DateTimeOffset]::UtcNow).TotalSeconds + 3
        if ($wait -gt 0) { Start-Sleep -Seconds $wait }
        ip netns exec $Buyer ping -c 2 -W 1 $bought.Tunnel.SellerAddress | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the seller removes the peer when the contract expires'
        (Get-Content -Raw (Join-Path $Root "seller/contracts/$id.json") | ConvertFrom-Json).State | Should -Be 'Expired'
    }
}
