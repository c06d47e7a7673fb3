#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every *.Tests.ps1 under tests/pester (or those whose name contains -Filter) in this (child) pwsh and
    writes the counts as JSON.
.DESCRIPTION
    build.ps1 starts this script in a fresh pwsh so that the module is loaded the way users load it:
    from the staged module folder, into a session that has never seen the build's assemblies.
    Test files find the module and the simulator through the environment variables set here.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [Parameter(Mandatory)] [string] $ResultFile,
    # Only the *.Tests.ps1 files whose name contains this text; all of them when empty.
    [string] $Filter
)
$ErrorActionPreference = 'Stop'

$env:IMPVPN_MODULE = (Resolve-Path $ModulePath).Path
$env:IMPVPN_SIMULATOR = $SimulatorPath
# Child pwsh processes (a seller, for instance) start the same way this one was: the repository's local tool.
$env:IMPVPN_REPO = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
if ($Filter) {
    $files = @(Get-ChildItem $PSScriptRoot -Filter '*.Tests.ps1' | Where-Object Name -Like "*$Filter*")
    if ($files.Count -eq 0) {
        throw "No Pester file under $PSScriptRoot matches '$Filter'."
    }
    $configuration.Run.Path = [string[]] $files.FullName
}
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultFile, '.xml')
$configuration.TestResult.OutputFormat = 'NUnitXml'

# Pester can fail after running every test (writing its XML report, say): then there is no result object, and the
# run must count as failed rather than as nothing having failed.
$result = $null
try {
    $result = Invoke-Pester -Configuration $configuration
}
catch {
    Write-Warning "Pester did not finish: $_"
}

if ($null -eq $result) {
    [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } | ConvertTo-Json | Set-Content -Path $ResultFile
    exit 1
}

# A container that failed to load (syntax error, BeforeAll failure) counts as a failure, not as nothing.
$failedBlocks = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 }).Count
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $failedBlocks
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $ResultFile
