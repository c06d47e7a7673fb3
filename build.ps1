#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, packages, benchmarks and demonstrates ImpVpn.

.DESCRIPTION
    Run through the repository's local .NET tool so that everyone uses the same PowerShell:
        dotnet tool restore && dotnet pwsh ./build.ps1 <task>

    Tasks:
      bootstrap  Installs prerequisites: apt packages (wireguard-go, wireguard-tools, iproute2, iputils-ping, nftables,
                 dnsmasq-base, iperf3) when running as root on Debian/Ubuntu, NuGet packages, Pester, and node/npm with
                 `npm ci` in tests/outside-client (for the OutsideClient suite). Says what is missing otherwise.
      build      bootstrap + compiles the solution and stages the module folder (out/module/ImpVpn).
      test       build + every xunit suite + the Pester suites (in a child pwsh against the staged module);
                 ends with one line "N passed, N failed, N skipped" and exits non-zero on any failure.
                 With -Suite NAME: one suite only, without the bootstrap (no apt-get, no restore): builds what the
                 suite needs with `dotnet build --no-restore` (Pester: stages the module and the simulator), runs
                 it, and ends with the same line and exit code. Needs one earlier `build` (or `bootstrap`) for
                 the restore. NAME is an xunit project under tests/ (ImpVpn.Core.Tests, ...), Pester or
                 OutsideClient; -PesterPath WORD runs only the Pester files whose name contains WORD.
                 OutsideClient: alexbosworth's `lightning` npm library (tests/outside-client) against a simulator
                 started for it; needs node and npm (bootstrap runs `npm ci` there).
      demo       build + starts the LND simulator and runs the demonstration against it.
      package    build + produces the module folder and a .nupkg in out/package.
      bench      build + runs the benchmarks; reports go to out/bench.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 test

.EXAMPLE
    dotnet pwsh ./build.ps1 test -Suite ImpVpn.Core.Tests

    One xunit suite, after an earlier build. Inside pwsh, -Suite completes with Tab.

.EXAMPLE
    dotnet pwsh ./build.ps1 test -Suite Pester -PesterPath Purchase

    Only tests/pester/Purchase.Tests.ps1, against a freshly staged module.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('bootstrap', 'build', 'test', 'demo', 'package', 'bench')]
    [string] $Task = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # One test suite (test task only): an xunit project name under tests/ (*.Tests.csproj), Pester or OutsideClient.
    [ArgumentCompleter({
            param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
            # The script's folder: from the command as typed, relative to the current location.
            $script = $commandAst.CommandElements[0].Extent.Text.Trim([char] 34, [char] 39)
            $root = Split-Path -Parent ([IO.Path]::GetFullPath($script, (Get-Location).ProviderPath))
            @(Get-ChildItem (Join-Path $root 'tests') -Filter '*.Tests.csproj' -Recurse -ErrorAction Ignore |
                    ForEach-Object BaseName | Sort-Object) + 'Pester' + 'OutsideClient' |
                Where-Object { $_ -like "$wordToComplete*" } |
                ForEach-Object { [Management.Automation.CompletionResult]::new($_) }
        })]
    [ValidateScript({
            $_ -eq 'Pester' -or $_ -eq 'OutsideClient' -or
            @(Get-ChildItem (Join-Path $PSScriptRoot 'tests') -Filter "$_.csproj" -Recurse).Where({ $_.Name -like '*.Tests.csproj' }).Count -gt 0
        }, ErrorMessage = "'{0}' is not a suite: use Pester, OutsideClient or the name of an xunit project under tests/ (*.Tests.csproj).")]
    [string] $Suite,

    # With -Suite Pester: only the tests/pester files whose name contains this text (Purchase, Help, ...).
    [string] $PesterPath,

    # Arguments passed through to the benchmark harness (bench task only).
    [Parameter(ValueFromRemainingArguments)]
    [string[]] $PassThru = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$StagedModule = Join-Path $OutDir 'module/ImpVpn'
$SimulatorOut = Join-Path $OutDir 'lndsim'
$TestResults = Join-Path $OutDir 'test-results'
$Solution = Join-Path $RepoRoot 'ImpVpn.PowerShell.sln'
$PesterVersion = '6.2.0'
$OutsideClientDir = Join-Path $RepoRoot 'tests/outside-client'
$AptPackages = [ordered]@{
    # command that must exist  = Debian package that provides it
    'wireguard-go' = 'wireguard-go'
    'wg'           = 'wireguard-tools'
    'ip'           = 'iproute2'
    'ping'         = 'iputils-ping'
    # A seller closes its WireGuard interface with nftables and does not start without it.
    'nft'          = 'nftables'
    # The exit tests' stand-in internet answers and logs DNS with it (TestSupport/TestInternet).
    'dnsmasq'      = 'dnsmasq-base'
    # The tunnel-throughput benchmark measures TCP through a bought and a hand-made tunnel with it.
    'iperf3'       = 'iperf3'
}

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

# Runs a native command and stops the build when it fails; output streams to the console.
function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $Arguments = @())
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

# Starts a new pwsh of the same version as this one, whether this one runs as `dotnet pwsh` (the local tool)
# or as an installed pwsh.
function Invoke-ChildPwsh([string[]] $Arguments) {
    $pwsh = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ($pwsh -match 'dotnet(\.exe)?$') {
        & dotnet pwsh @Arguments
    }
    else {
        & $pwsh @Arguments
    }
}

function Test-IsRoot {
    if (-not $IsLinux) { return $false }
    return ((& id -u) -eq '0')
}

function Get-MissingSystemTools {
    if (-not $IsLinux) { return @() }
    $PATHs = @($env:PATH -split ':' | Where-Object { $_ }) + @('/usr/sbin', '/sbin')
    return @($AptPackages.Keys | Where-Object {
            $command = $_
            # File.Exists, not Test-Path: a PATH folder this user may not read (another user's) is simply not a match.
            -not ($PATHs | Where-Object { [IO.File]::Exists((Join-Path $_ $command)) })
        })
}

function Invoke-Bootstrap {
    Write-Step 'Checking system prerequisites'
    $missing = @(Get-MissingSystemTools)
    if ($missing.Count -gt 0) {
        $packages = @($missing | ForEach-Object { $AptPackages[$_] } | Select-Object -Unique)
        $canApt = (Test-IsRoot) -and (Get-Command apt-get -ErrorAction SilentlyContinue)
        if ($canApt) {
            Write-Step "Installing $($packages -join ', ') with apt-get"
            $env:DEBIAN_FRONTEND = 'noninteractive'
            Invoke-Native apt-get @('update', '-qq')
            Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $packages)
        }
        else {
            # Not fatal: the WireGuard and end-to-end tests report themselves skipped with this reason.
            Write-Warning ("Missing $($missing -join ', '). WireGuard tests will be skipped. " +
                "Install as root: apt-get update && apt-get install -y $($packages -join ' ')")
        }
    }

    Install-OutsideClient

    Write-Step 'Restoring NuGet packages'
    Invoke-Native dotnet @('restore', $Solution, '--verbosity', 'quiet')
    Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'tests/tools/Pester.Download.csproj'), '--verbosity', 'quiet')
}

# The outside check's npm packages (tests/outside-client, pinned by its package-lock.json). Without node and npm
# it installs them as root with apt, or says what to install; the OutsideClient suite then reports itself skipped.
function Install-OutsideClient {
    Write-Step 'Checking node and npm (the OutsideClient suite)'
    if (-not ((Get-Command node -ErrorAction Ignore) -and (Get-Command npm -ErrorAction Ignore))) {
        if ((Test-IsRoot) -and (Get-Command apt-get -ErrorAction Ignore)) {
            Write-Step 'Installing nodejs, npm with apt-get'
            $env:DEBIAN_FRONTEND = 'noninteractive'
            Invoke-Native apt-get @('update', '-qq')
            Invoke-Native apt-get @('install', '-y', '-qq', '--no-install-recommends', 'nodejs', 'npm')
        }
        else {
            Write-Warning 'node and npm are missing: the OutsideClient suite will be skipped. Install as root: apt-get update && apt-get install -y nodejs npm'
            return
        }
    }

    Write-Step 'npm ci in tests/outside-client'
    Push-Location $OutsideClientDir
    try {
        Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel', 'error')
    }
    finally {
        Pop-Location
    }
}

function Get-PesterManifest {
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $cache.Trim() "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        throw "Pester $PesterVersion is not in the NuGet cache ($manifest). Run: dotnet pwsh ./build.ps1 bootstrap"
    }
    return $manifest
}

# The module folder exactly as users get it: manifest, cmdlet assembly and its dependencies, views, help.
function Invoke-Stage {
    Write-Step "Staging the module in $StagedModule"
    if (Test-Path $StagedModule) { Remove-Item $StagedModule -Recurse -Force }
    $publishDir = Join-Path $OutDir 'publish/ImpVpn.PowerShell'
    if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
    Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ImpVpn.PowerShell/ImpVpn.PowerShell.csproj'),
        '-c', $Configuration, '--no-restore', '-o', $publishDir, '--verbosity', 'quiet', '-p:UseAppHost=false')

    # Module root: manifest, cmdlet assembly, views, help. Everything the core needs goes to Dependencies/,
    # which the module loads into its own AssemblyLoadContext (see src/ImpVpn.PowerShell/Loading).
    $dependencies = Join-Path $StagedModule 'Dependencies'
    New-Item -ItemType Directory -Force $dependencies | Out-Null
    Copy-Item (Join-Path $RepoRoot 'ImpVpn.psd1'), (Join-Path $RepoRoot 'LICENSE') $StagedModule
    Copy-Item (Join-Path $publishDir 'ImpVpn.PowerShell.dll') $StagedModule
    Get-ChildItem (Join-Path $RepoRoot 'src/ImpVpn.PowerShell') -Filter '*.ps1xml' | Copy-Item -Destination $StagedModule
    Get-ChildItem $publishDir -File |
        Where-Object { $_.Name -ne 'ImpVpn.PowerShell.dll' -and $_.Extension -in '.dll', '.so', '.dylib' } |
        # The host supplies System.Management.Automation: a second copy would shadow the real one.
        Where-Object { $_.Name -ne 'System.Management.Automation.dll' } |
        Copy-Item -Destination $dependencies

    # impvpnd, the daemon Install-VpnDaemon installs as a service, ships inside the module (Daemon/), framework-
    # dependent like the module itself: `dotnet impvpnd.dll`.
    Write-Step 'Publishing impvpnd into the module (Daemon/)'
    Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ImpVpn.Daemon/ImpVpn.Daemon.csproj'),
        '-c', $Configuration, '--no-restore', '-o', (Join-Path $StagedModule 'Daemon'), '--verbosity', 'quiet', '-p:UseAppHost=false')

    # Get-Help content (MAML and about_ImpVpn) from docs/help, in a pwsh of its own: it imports the staged module.
    Write-Step 'Building help from docs/help'
    Invoke-ChildPwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tools/Help/Build-Help.ps1'),
        '-ModulePath', $StagedModule) | Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'Building the help failed.' }

    Publish-Simulator
}

function Publish-Simulator {
    Write-Step "Publishing the LND simulator to $SimulatorOut"
    Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ImpVpn.LndSim/ImpVpn.LndSim.csproj'),
        '-c', $Configuration, '--no-restore', '-o', $SimulatorOut, '--verbosity', 'quiet', '-p:UseAppHost=false')
}

function Invoke-Build {
    Invoke-Bootstrap
    Write-Step "Building $([IO.Path]::GetFileName($Solution)) ($Configuration)"
    Invoke-Native dotnet @('build', $Solution, '-c', $Configuration, '--no-restore', '--verbosity', 'quiet', '-nologo')
    Invoke-Stage
}

# Reads a VSTest .trx file's counters. A missing file means the suite crashed: counted as one failure.
function Read-TrxCounts([string] $TrxPath, [string] $Suite) {
    if (-not (Test-Path $TrxPath)) {
        Write-Warning "$Suite produced no results file: counted as a failure."
        return [pscustomobject]@{ Suite = $Suite; Passed = 0; Failed = 1; Skipped = 0 }
    }
    [xml] $trx = Get-Content -Raw $TrxPath
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Suite   = $Suite
        Passed  = [int] $counters.passed
        Failed  = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        # VSTest's trx leaves notExecuted at 0 for skipped xunit tests; they are the ones counted but not executed.
        Skipped = [int] $counters.total - [int] $counters.executed
    }
}

# Every xunit suite: the *.Tests projects under tests/ (helpers such as ImpVpn.TestSupport are not suites).
function Get-XunitProjects {
    Get-ChildItem (Join-Path $RepoRoot 'tests') -Filter '*.Tests.csproj' -Recurse | Sort-Object Name
}

function Invoke-XunitSuites {
    param([IO.FileInfo[]] $Projects = @(Get-XunitProjects))
    foreach ($project in $Projects) {
        $suite = $project.BaseName
        $trx = Join-Path $TestResults "$suite.trx"
        Write-Step "xunit: $suite"
        # A test that hangs is ended after 5 minutes and counted as failed, instead of holding CI until its limit.
        & dotnet test $project.FullName -c $Configuration --no-build --nologo --verbosity quiet `
            --blame-hang-timeout 5m --blame-hang-dump-type none `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' --results-directory $TestResults | Out-Host
        Read-TrxCounts $trx $suite
    }
}

function Invoke-PesterSuites {
    $resultFile = Join-Path $TestResults 'pester.json'
    Write-Step 'Pester (child pwsh against the staged module)'
    $runner = Join-Path $RepoRoot 'tests/pester/Invoke-PesterSuite.ps1'
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', (Get-PesterManifest), '-ModulePath', $StagedModule,
        '-SimulatorPath', (Join-Path $SimulatorOut 'ImpVpn.LndSim.dll'), '-ResultFile', $resultFile)
    if ($PesterPath) { $arguments += @('-Filter', $PesterPath) }
    Invoke-ChildPwsh $arguments | Out-Host
    if (-not (Test-Path $resultFile)) {
        Write-Warning 'The Pester run produced no result file: counted as a failure.'
        return [pscustomobject]@{ Suite = 'Pester'; Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counts = Get-Content -Raw $resultFile | ConvertFrom-Json
    [pscustomobject]@{ Suite = 'Pester'; Passed = [int] $counts.Passed; Failed = [int] $counts.Failed; Skipped = [int] $counts.Skipped }
}

# The outside check (tests/outside-client/check.mjs) against a simulator started for it: three nodes, a channel
# between the first two. Each check the script prints counts as one test.
function Invoke-OutsideClientSuite {
    Write-Step 'OutsideClient (the lightning npm library against the simulator)'
    if (-not (Get-Command node -ErrorAction Ignore)) {
        Write-Warning 'node is missing: OutsideClient skipped. Install as root: apt-get install -y nodejs npm, then run bootstrap.'
        return [pscustomobject]@{ Suite = 'OutsideClient'; Passed = 0; Failed = 0; Skipped = 1 }
    }
    if (-not (Test-Path (Join-Path $OutsideClientDir 'node_modules/lightning'))) {
        Write-Warning "tests/outside-client has no node_modules: run 'dotnet pwsh ./build.ps1 bootstrap' (npm ci). Counted as a failure."
        return [pscustomobject]@{ Suite = 'OutsideClient'; Passed = 0; Failed = 1; Skipped = 0 }
    }

    $directory = Join-Path $TestResults 'outside-client-sim'
    $resultFile = Join-Path $TestResults 'outside-client.json'
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @((Join-Path $SimulatorOut 'ImpVpn.LndSim.dll'), '--dir', $directory,
            '--node', 'alice', '--node', 'bob', '--node', 'carol', '--channel', 'alice:bob:1000000:100000',
            # The harder profile: latency, and payments whose attempts and parts a client written for LND must read.
            '--profile', 'realistic')) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $simulator = [Diagnostics.Process]::Start($start)
    try {
        # The simulator prints "control URL" and then "ready" once every node serves.
        $control = $null
        while ($null -ne ($line = $simulator.StandardOutput.ReadLine()) -and $line -ne 'ready') {
            if ($line -match '^control (\S+)') { $control = $Matches[1] }
        }
        if (-not $control) {
            Write-Warning 'The simulator for OutsideClient did not start: counted as a failure.'
            return [pscustomobject]@{ Suite = 'OutsideClient'; Passed = 0; Failed = 1; Skipped = 0 }
        }

        & node (Join-Path $OutsideClientDir 'check.mjs') --control $control --result $resultFile 2>&1 |
            Where-Object { "$_" -notmatch 'DEP0123|trace-deprecation' } | Out-Host
    }
    finally {
        # SIGTERM lets it stop its listeners; a simulator that does not go within 10 s is killed.
        if (-not $simulator.HasExited) {
            if ($IsLinux -or $IsMacOS) { & kill -TERM $simulator.Id } else { $simulator.Kill() }
            if (-not $simulator.WaitForExit(10000)) { $simulator.Kill() }
        }
        $simulator.Dispose()
    }

    if (-not (Test-Path $resultFile)) {
        Write-Warning 'The outside check produced no result file: counted as a failure.'
        return [pscustomobject]@{ Suite = 'OutsideClient'; Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counts = Get-Content -Raw $resultFile | ConvertFrom-Json
    [pscustomobject]@{ Suite = 'OutsideClient'; Passed = [int] $counts.passed; Failed = [int] $counts.failed; Skipped = 0 }
}

# Builds what one suite needs from the restored packages, without the bootstrap.
function Invoke-SuiteBuild([string] $Name) {
    # The projects to check for a restore: what the suite builds.
    if ($Name -eq 'OutsideClient') {
        if (-not (Test-Path (Join-Path $RepoRoot 'src/ImpVpn.LndSim/obj/project.assets.json'))) {
            throw 'ImpVpn.LndSim.csproj is not restored. Run once: dotnet pwsh ./build.ps1 build (-Suite skips the restore).'
        }
        Publish-Simulator
        return
    }

    $projects = @(if ($Name -eq 'Pester') {
            Join-Path $RepoRoot 'src/ImpVpn.PowerShell/ImpVpn.PowerShell.csproj'
            Join-Path $RepoRoot 'src/ImpVpn.LndSim/ImpVpn.LndSim.csproj'
            Join-Path $RepoRoot 'src/ImpVpn.Daemon/ImpVpn.Daemon.csproj'
        }
        else {
            (Get-XunitProjects | Where-Object BaseName -EQ $Name).FullName
        })
    foreach ($project in $projects) {
        if (-not (Test-Path (Join-Path (Split-Path $project) 'obj/project.assets.json'))) {
            throw "$([IO.Path]::GetFileName($project)) is not restored. Run once: dotnet pwsh ./build.ps1 build (-Suite skips the restore)."
        }
    }

    if ($Name -eq 'Pester') {
        # The module folder and the simulator, as the full run stages them (publish builds with --no-restore).
        Invoke-Stage
        return
    }

    Write-Step "Building $Name ($Configuration)"
    Invoke-Native dotnet @('build', $projects[0], '-c', $Configuration, '--no-restore', '--verbosity', 'quiet', '-nologo')
}

function Invoke-Test {
    $started = Get-Date
    if ($Suite) {
        Invoke-SuiteBuild $Suite
    }
    else {
        Invoke-Build
    }

    if (Test-Path $TestResults) { Remove-Item $TestResults -Recurse -Force }
    New-Item -ItemType Directory -Force $TestResults | Out-Null

    $results = if (-not $Suite) {
        @(Invoke-XunitSuites) + @(Invoke-PesterSuites) + @(Invoke-OutsideClientSuite)
    }
    elseif ($Suite -eq 'Pester') {
        @(Invoke-PesterSuites)
    }
    elseif ($Suite -eq 'OutsideClient') {
        @(Invoke-OutsideClientSuite)
    }
    else {
        @(Invoke-XunitSuites -Projects @(Get-XunitProjects | Where-Object BaseName -EQ $Suite))
    }

    Write-Host ''
    $results | Format-Table -AutoSize | Out-String | Write-Host
    $passed = ($results | Measure-Object Passed -Sum).Sum
    $failed = ($results | Measure-Object Failed -Sum).Sum
    $skipped = ($results | Measure-Object Skipped -Sum).Sum
    Write-Host ("Test task took {0:n0} s." -f ((Get-Date) - $started).TotalSeconds)
    # The closing line CI reads: keep it plain and last.
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
    exit 0
}

function Invoke-Demo {
    Invoke-Build
    Write-Step 'Demo, part 1: ImpVpn''s LND client against two simulated nodes'
    Invoke-Native dotnet @('run', '--project', (Join-Path $RepoRoot 'tools/ImpVpn.Demo/ImpVpn.Demo.csproj'),
        '-c', $Configuration, '--no-restore', '--no-build', '--', (Join-Path $SimulatorOut 'ImpVpn.LndSim.dll'))
    Write-Step 'Demo, part 2: buying a tunnel with the cmdlets'
    & (Join-Path $RepoRoot 'tools/Invoke-PurchaseDemo.ps1') -ModulePath $StagedModule -SimulatorPath (Join-Path $SimulatorOut 'ImpVpn.LndSim.dll')
}

function Invoke-Package {
    Invoke-Build
    & (Join-Path $RepoRoot 'tools/New-ModulePackage.ps1') -ModulePath $StagedModule -OutputPath (Join-Path $OutDir 'package')
    if (-not $?) { exit 1 }
}

function Invoke-Bench {
    Invoke-Build
    Write-Step 'Benchmarks'
    Invoke-Native dotnet (@('run', '--project', (Join-Path $RepoRoot 'bench/ImpVpn.Bench/ImpVpn.Bench.csproj'),
            '-c', $Configuration, '--no-restore', '--') + $PassThru)
}

if ($Task -ne 'test' -and $Suite) { throw '-Suite applies to the test task only.' }
if ($PesterPath -and $Suite -ne 'Pester') { throw '-PesterPath applies to -Suite Pester only.' }

Push-Location $RepoRoot
try {
    switch ($Task) {
        'bootstrap' { Invoke-Bootstrap }
        'build' { Invoke-Build }
        'test' { Invoke-Test }
        'demo' { Invoke-Demo }
        'package' { Invoke-Package }
        'bench' { Invoke-Bench }
    }
}
finally {
    Pop-Location
}
