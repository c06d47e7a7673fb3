# The module as users get it: packed by build.ps1's package step, then installed with Install-Module and with
# Install-PSResource (scope CurrentUser, as users run them) from a local file repository, each in a fresh pwsh
# whose home folder is a temporary one, so installed modules and registered repositories land there and the
# machine's own are untouched.
BeforeAll {
    $script:Work = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-install-$([guid]::NewGuid().ToString('N'))")).FullName
    & (Join-Path $env:IMPVPN_REPO 'tools/New-ModulePackage.ps1') -ModulePath $env:IMPVPN_MODULE -OutputPath (Join-Path $Work 'package') 6>$null
    $script:Repository = Join-Path $Work 'package/repository'

    # Runs a script in a new pwsh whose HOME is a new temporary folder; returns the folder and the last output line.
    function Invoke-FreshPwsh([string] $Script) {
        $home_ = (New-Item -ItemType Directory (Join-Path $Work ([guid]::NewGuid().ToString('N')))).FullName
        $file = Join-Path $home_ 'step.ps1'
        Set-Content $file ("`$ErrorActionPreference = 'Stop'`n" + $Script)
        $names = 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'PSModulePath', 'DOTNET_CLI_HOME', 'NUGET_PACKAGES'
        $saved = @{}
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        try {
            # The local tool (pwsh itself) is still found through the real .NET home and NuGet cache.
            $env:DOTNET_CLI_HOME = if ($env:DOTNET_CLI_HOME) { $env:DOTNET_CLI_HOME } else { $HOME }
            $env:NUGET_PACKAGES = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
            $env:HOME = $home_
            Remove-Item env:XDG_DATA_HOME, env:XDG_CONFIG_HOME, env:PSModulePath -ErrorAction SilentlyContinue
            Push-Location $env:IMPVPN_REPO
            $output = & dotnet tool run pwsh -NoProfile -NonInteractive -File $file 2>&1
            if ($LASTEXITCODE -ne 0) { throw "pwsh failed: $output" }
            [pscustomobject]@{ Home = $home_; Last = [string]($output | Select-Object -Last 1) }
        }
        finally {
            Pop-Location
            # PowerShell hands $null to a .NET string parameter as "": an unset variable must be removed instead.
            foreach ($name in $names) {
                if ($null -eq $saved[$name]) { Remove-Item "env:$name" -ErrorAction SilentlyContinue }
                else { Set-Item "env:$name" $saved[$name] }
            }
        }
    }
}

AfterAll { Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Installing ImpVpn from a repository' {
    It 'produces a nupkg of the manifest version' {
        $version = (Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).ModuleVersion
        Test-Path (Join-Path $Repository "ImpVpn.$version.nupkg") | Should -BeTrue
    }

    It 'installs with Install-PSResource for the current user and runs a cmdlet' {
        $run = Invoke-FreshPwsh @"
Register-PSResourceRepository -Name ImpVpnTest -Uri '$Repository' -Trusted
Install-PSResource ImpVpn -Repository ImpVpnTest -Scope CurrentUser
Import-Module ImpVpn
`$env:IMPVPN_HOME = Join-Path `$HOME 'store'
@(Get-VpnTunnel).Count.ToString() + ' ' + (Get-Module ImpVpn).ModuleBase
"@
        $run.Last | Should -Be "0 $($run.Home)/.local/share/powershell/Modules/ImpVpn/$((Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).ModuleVersion)"
    }

    It 'installs with Install-Module for the current user and runs a cmdlet' {
        $run = Invoke-FreshPwsh @"
Register-PSRepository -Name ImpVpnTest -SourceLocation '$Repository' -InstallationPolicy Trusted
Install-Module ImpVpn -Repository ImpVpnTest -Scope CurrentUser
Import-Module ImpVpn
`$env:IMPVPN_HOME = Join-Path `$HOME 'store'
@(Get-VpnTunnel).Count.ToString() + ' ' + (Get-Command -Module ImpVpn).Count + ' ' + (Get-Module ImpVpn).ModuleBase
"@
        $cmdlets = @((Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).CmdletsToExport).Count
        $run.Last | Should -BeLike "0 $cmdlets $($run.Home)/.local/share/powershell/Modules/ImpVpn/*"
    }

    It 'ships impvpnd with the module, and it runs from where the module was installed' {
        $run = Invoke-FreshPwsh @"
Register-PSResourceRepository -Name ImpVpnTest -Uri '$Repository' -Trusted
Install-PSResource ImpVpn -Repository ImpVpnTest -Scope CurrentUser
`$daemon = Join-Path (Get-Module ImpVpn -ListAvailable).ModuleBase 'Daemon'
`$said = & dotnet (Join-Path `$daemon 'impvpnd.dll') check --config (Join-Path `$HOME 'missing.json') 2>&1
"`$LASTEXITCODE `$(Test-Path (Join-Path `$daemon 'Microsoft.Extensions.Hosting.Systemd.dll')) `$said"
"@
        # Exit 2, the configuration refused by name: the daemon and the core it carries load and run.
        $run.Last | Should -BeLike '2 True impvpnd: configuration error: (file): cannot read the configuration file*'
    }
}
