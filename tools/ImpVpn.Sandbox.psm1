# A sandbox for trying and testing ImpVpn on one machine: the LND simulator as its own process, a seller running
# Start-VpnProvider in a child pwsh, and network namespaces that stand in for two hosts. Used by the demo and the Pester suites.

# -Profile: realistic (latency per hop, payments in parts, IN_FLIGHT before ACCEPTED) unless a caller wants the
# ideal one's speed, as the demo does (docs/simulator.md).
function Start-SandboxSimulator {
    param([Parameter(Mandatory)] [string] $Directory, [string[]] $Node = @('alice', 'bob'), [string[]] $Channel = @('alice:bob:1000000:0'),
        [ValidateSet('realistic', 'ideal')] [string] $Profile = 'realistic',
        # How long a node announcement takes to reach the others (the simulator's default is LND's 90 s trickle delay).
        [int] $GossipDelayMs = -1)
    New-Item -ItemType Directory -Force $Directory | Out-Null
    $arguments = @($env:IMPVPN_SIMULATOR, '--dir', $Directory, '--profile', $Profile) + ($Node | ForEach-Object { '--node', $_ }) + ($Channel | ForEach-Object { '--channel', $_ })
    if ($GossipDelayMs -ge 0) { $arguments += '--gossip-delay-ms', $GossipDelayMs }
    $process = Start-Process dotnet -ArgumentList $arguments -PassThru -RedirectStandardOutput (Join-Path $Directory 'sim.out') -RedirectStandardError (Join-Path $Directory 'sim.err')
    $stateFile = Join-Path $Directory 'sim.json'
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Test-Path $stateFile) -or -not (Get-Content -Raw $stateFile)) {
        if ((Get-Date) -gt $deadline -or $process.HasExited) { throw "The simulator did not start: $(Get-Content -Raw (Join-Path $Directory 'sim.err') -ErrorAction SilentlyContinue)" }
        Start-Sleep -Milliseconds 100
    }
    Start-Sleep -Milliseconds 200
    $state = Get-Content -Raw $stateFile | ConvertFrom-Json
    [pscustomobject]@{ Process = $process; Control = $state.control; Nodes = $state.nodes; Directory = $Directory }
}

function Get-SandboxNode($Simulator, [string] $Name) { $Simulator.Nodes | Where-Object name -eq $Name }

function Get-SandboxBalanceMsat($Simulator, [string] $Name) {
    (Invoke-RestMethod "$($Simulator.Control)nodes/$Name/balance").localMsat
}

function Connect-SandboxNode($Simulator, [string] $Name, [string] $StorePath) {
    $node = Get-SandboxNode $Simulator $Name
    Connect-VpnNode -RpcAddress $node.rpcAddress -TlsCertPath $node.tlsCertPath -MacaroonPath $node.macaroonPath -Network regtest -StorePath $StorePath
}

# Starts `Start-VpnProvider` for a node in a child pwsh; returns the process. Extra arguments go to Start-VpnProvider.
function Start-SandboxSeller($Simulator, [string] $Name, [string] $StorePath, [string] $ProviderArguments, [string] $Prefix = '') {
    $node = Get-SandboxNode $Simulator $Name
    $script = Join-Path $Simulator.Directory "seller-$Name.ps1"
    @"
`$ErrorActionPreference = 'Stop'
`$InformationPreference = 'Continue'
Import-Module '$env:IMPVPN_MODULE'
Connect-VpnNode -RpcAddress '$($node.rpcAddress)' -TlsCertPath '$($node.tlsCertPath)' -MacaroonPath '$($node.macaroonPath)' -Network regtest -StorePath '$StorePath' | Out-Null
Start-VpnProvider $ProviderArguments -Verbose
"@ | Set-Content $script
    $log = Join-Path $Simulator.Directory "seller-$Name.log"
    # With a prefix such as "ip netns exec NS" the seller runs inside that network namespace.
    $words = @(($Prefix -split ' ') | Where-Object { $_ }) + @('dotnet', 'tool', 'run', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script)
    $process = Start-Process $words[0] -ArgumentList ($words | Select-Object -Skip 1) `
        -WorkingDirectory $env:IMPVPN_REPO -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Select-String -Path $log -Pattern 'Selling tunnels' -Quiet -ErrorAction SilentlyContinue)) {
        if ((Get-Date) -gt $deadline -or $process.HasExited) { throw "The seller did not start: $(Get-Content -Raw $log -ErrorAction SilentlyContinue) $(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue)" }
        Start-Sleep -Milliseconds 200
    }
    $process
}

function Stop-SandboxProcess($Process) {
    if ($Process -and -not $Process.HasExited) { $Process.Kill($true); $Process.WaitForExit(10000) | Out-Null }
}

# Two network namespaces standing in for the buyer's and the seller's hosts: a veth underlay between them (for
# WireGuard) and a veth from this namespace into each (where the LND simulator listens). Names carry a random tag
# because wireguard-go's socket folder is shared by every namespace.
function New-SandboxHosts {
    $tag = -join ((48..57) + (97..102) | Get-Random -Count 6 | ForEach-Object { [char] $_ })
    $n = Get-Random -Minimum 100 -Maximum 250
    $hosts = [pscustomobject]@{
        Tag = $tag; Buyer = "ivp-a-$tag"; Seller = "ivp-b-$tag"
        BuyerUnderlay = "192.168.$n.1"; SellerUnderlay = "192.168.$n.2"
        BuyerLnd = "10.251.$n.1"; SellerLnd = "10.252.$n.1"; Subnet = "10.78.$n.0/24"
    }
    foreach ($ns in $hosts.Buyer, $hosts.Seller) { ip netns add $ns; ip -n $ns link set lo up }
    ip link add "iva$tag" netns $hosts.Buyer type veth peer name "ivb$tag" netns $hosts.Seller
    ip -n $hosts.Buyer addr add "$($hosts.BuyerUnderlay)/24" dev "iva$tag"; ip -n $hosts.Buyer link set "iva$tag" up
    ip -n $hosts.Seller addr add "$($hosts.SellerUnderlay)/24" dev "ivb$tag"; ip -n $hosts.Seller link set "ivb$tag" up
    foreach ($side in @(@{ Ns = $hosts.Buyer; Net = "10.251.$n"; Name = 'a' }, @{ Ns = $hosts.Seller; Net = "10.252.$n"; Name = 'b' })) {
        ip link add "ivr$($side.Name)$tag" type veth peer name "ivx$($side.Name)$tag" netns $side.Ns
        ip addr add "$($side.Net).1/24" dev "ivr$($side.Name)$tag"; ip link set "ivr$($side.Name)$tag" up
        ip -n $side.Ns addr add "$($side.Net).2/24" dev "ivx$($side.Name)$tag"; ip -n $side.Ns link set "ivx$($side.Name)$tag" up
    }
    $hosts
}

# A stand-in internet beside the seller's namespace, for an exit purchase: namespace ivp-i-TAG on a veth from the
# seller (the seller's egress address 198.51.100.1; 198.51.100.80, the seller's default gateway, in documentation
# ranges) with an HTTP service that answers every request with the address it came from. The buyer's namespace has
# no route there: only an exit tunnel reaches it. The buyer's namespace also gets its own resolv.conf (ip netns exec bind-mounts
# /etc/netns/NS/resolv.conf), so a full tunnel's DNS change stays inside the sandbox.
function Add-SandboxInternet($Hosts) {
    $internet = "ivp-i-$($Hosts.Tag)"
    ip netns add $internet; ip -n $internet link set lo up
    ip link add "ive$($Hosts.Tag)" netns $Hosts.Seller type veth peer name "ivi$($Hosts.Tag)" netns $internet
    ip -n $Hosts.Seller addr add 198.51.100.1/24 dev "ive$($Hosts.Tag)"; ip -n $Hosts.Seller link set "ive$($Hosts.Tag)" up
    ip -n $internet addr add 198.51.100.80/24 dev "ivi$($Hosts.Tag)"; ip -n $internet link set "ivi$($Hosts.Tag)" up
    # The seller's gateway to the internet: an exit lets buyers out through it, never to the rest of the egress network.
    ip -n $Hosts.Seller route add default via 198.51.100.80 dev "ive$($Hosts.Tag)"
    New-Item -ItemType Directory -Force "/etc/netns/$($Hosts.Buyer)" | Out-Null
    Set-Content "/etc/netns/$($Hosts.Buyer)/resolv.conf" "nameserver $($Hosts.SellerUnderlay)"
    $echo = Join-Path ([IO.Path]::GetTempPath()) "impvpn-echo-$($Hosts.Tag).ps1"
    @'
$listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Any, 80)
$listener.Start()
while ($true) {
    $client = $listener.AcceptTcpClient()
    try {
        $stream = $client.GetStream()
        $reader = [IO.StreamReader]::new($stream)
        while ($reader.ReadLine()) { }
        $body = "$($client.Client.RemoteEndPoint.Address)`n"
        $bytes = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 200 OK`r`nContent-Type: text/plain`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n$body")
        $stream.Write($bytes, 0, $bytes.Length)
    }
    finally { $client.Dispose() }
}
'@ | Set-Content $echo
    $process = Start-Process ip -ArgumentList @('netns', 'exec', $internet, 'dotnet', 'tool', 'run', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $echo) -WorkingDirectory $env:IMPVPN_REPO -PassThru
    $deadline = (Get-Date).AddSeconds(30)
    while (-not ((ip netns exec $internet ss -Hltn 'sport = :80') -match 'LISTEN')) {
        if ((Get-Date) -gt $deadline -or $process.HasExited) { throw 'The stand-in internet''s echo service did not start.' }
        Start-Sleep -Milliseconds 100
    }
    $Hosts | Add-Member -NotePropertyMembers @{ Internet = $internet; Egress = "ive$($Hosts.Tag)"; EchoAddress = '198.51.100.80'; EgressAddress = '198.51.100.1'; EchoScript = $echo } -Force
    $Hosts
}

function Remove-SandboxHosts($Hosts) {
    foreach ($ns in @($Hosts.Buyer, $Hosts.Seller, $Hosts.Internet) | Where-Object { $_ }) {
        # SIGTERM, not SIGKILL: wireguard-go then removes its socket from the folder all namespaces share.
        foreach ($processId in (ip netns pids $ns)) { kill $processId 2>$null }
        Start-Sleep -Milliseconds 500
        foreach ($processId in (ip netns pids $ns)) { kill -9 $processId 2>$null }
        ip netns del $ns 2>$null
    }
    Remove-Item "/etc/netns/$($Hosts.Buyer)" -Recurse -Force -ErrorAction SilentlyContinue
    if ($Hosts.EchoScript) { Remove-Item $Hosts.EchoScript -Force -ErrorAction SilentlyContinue }
}

# Runs a script in a fresh pwsh inside a namespace, with the module loaded; returns the last JSON line it prints.
function Invoke-InNamespace([string] $Namespace, [string] $WorkFolder, [string] $Script) {
    $file = Join-Path $WorkFolder "step-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content $file ("`$ErrorActionPreference = 'Stop'`nImport-Module '$env:IMPVPN_MODULE'`n" + $Script)
    Push-Location $env:IMPVPN_REPO
    try { $output = & ip netns exec $Namespace dotnet tool run pwsh -NoProfile -NonInteractive -File $file 2>&1 }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw "In $Namespace : $output" }
    $output | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
}

function Test-SandboxCanTunnel {
    if (-not $IsLinux) { return 'network namespaces exist only on Linux' }
    if ((id -u) -ne '0') { return 'needs root for network namespaces and WireGuard interfaces' }
    @('ip', 'wireguard-go', 'ping', 'nft') | Where-Object { -not (Get-Command $_ -ErrorAction SilentlyContinue) } | ForEach-Object { "$_ is not installed" } | Select-Object -First 1
}

Export-ModuleMember -Function *
