# Helpers for Pester suites: the LND simulator as its own process, and a seller running Start-VpnProvider in a
# child pwsh, as two operators would run them.

function Start-TestSimulator {
    param([Parameter(Mandatory)] [string] $Directory, [string[]] $Node = @('alice', 'bob'), [string[]] $Channel = @('alice:bob:1000000:0'))
    New-Item -ItemType Directory -Force $Directory | Out-Null
    $arguments = @($env:IMPVPN_TEST_SIMULATOR, '--dir', $Directory) + ($Node | ForEach-Object { '--node', $_ }) + ($Channel | ForEach-Object { '--channel', $_ })
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

function Get-TestNode($Simulator, [string] $Name) { $Simulator.Nodes | Where-Object name -eq $Name }

function Get-TestBalanceMsat($Simulator, [string] $Name) {
    (Invoke-RestMethod "$($Simulator.Control)nodes/$Name/balance").localMsat
}

function Connect-TestNode($Simulator, [string] $Name, [string] $StorePath) {
    $node = Get-TestNode $Simulator $Name
    Connect-VpnNode -RpcAddress $node.rpcAddress -TlsCertPath $node.tlsCertPath -MacaroonPath $node.macaroonPath -Network regtest -StorePath $StorePath
}

# Starts `Start-VpnProvider` for a node in a child pwsh; returns the process. Extra arguments go to Start-VpnProvider.
function Start-TestSeller($Simulator, [string] $Name, [string] $StorePath, [string] $ProviderArguments, [string] $Prefix = '') {
    $node = Get-TestNode $Simulator $Name
    $script = Join-Path $Simulator.Directory "seller-$Name.ps1"
    @"
`$ErrorActionPreference = 'Stop'
`$InformationPreference = 'Continue'
Import-Module '$env:IMPVPN_TEST_MODULE'
Connect-VpnNode -RpcAddress '$($node.rpcAddress)' -TlsCertPath '$($node.tlsCertPath)' -MacaroonPath '$($node.macaroonPath)' -Network regtest -StorePath '$StorePath' | Out-Null
Start-VpnProvider $ProviderArguments -Verbose
"@ | Set-Content $script
    $log = Join-Path $Simulator.Directory "seller-$Name.log"
    # With a prefix such as "ip netns exec NS" the seller runs inside that network namespace.
    $words = @(($Prefix -split ' ') | Where-Object { $_ }) + @('dotnet', 'tool', 'run', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script)
    $process = Start-Process $words[0] -ArgumentList ($words | Select-Object -Skip 1) `
        -WorkingDirectory $env:IMPVPN_TEST_REPO -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Select-String -Path $log -Pattern 'Selling tunnels' -Quiet -ErrorAction SilentlyContinue)) {
        if ((Get-Date) -gt $deadline -or $process.HasExited) { throw "The seller did not start: $(Get-Content -Raw $log -ErrorAction SilentlyContinue) $(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue)" }
        Start-Sleep -Milliseconds 200
    }
    $process
}

function Stop-TestProcess($Process) {
    if ($Process -and -not $Process.HasExited) { $Process.Kill($true); $Process.WaitForExit(10000) | Out-Null }
}

Export-ModuleMember -Function *
