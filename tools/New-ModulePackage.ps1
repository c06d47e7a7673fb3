#Requires -Version 7.4
<#
.SYNOPSIS
    Packs the staged module: a copy of the module folder and a .nupkg in a local file repository,
    from which `Install-Module ImpVpn -Repository <name>` or `Install-PSResource` installs it.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
$repository = Join-Path $OutputPath 'repository'
if (Test-Path $OutputPath) { Remove-Item $OutputPath -Recurse -Force }
New-Item -ItemType Directory -Force $repository | Out-Null
Copy-Item $ModulePath (Join-Path $OutputPath 'ImpVpn') -Recurse

$name = "ImpVpnBuild$PID"
Register-PSResourceRepository -Name $name -Uri $repository -Trusted
try {
    Publish-PSResource -Path (Join-Path $OutputPath 'ImpVpn') -Repository $name -SkipDependenciesCheck
}
finally {
    Unregister-PSResourceRepository -Name $name
}
Get-ChildItem $repository -Filter *.nupkg | ForEach-Object { Write-Host "==> $($_.FullName)" }
Write-Host "Install it with: Register-PSResourceRepository -Name ImpVpnLocal -Uri '$repository' -Trusted; Install-PSResource ImpVpn -Repository ImpVpnLocal"
