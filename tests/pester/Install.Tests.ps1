# The module as users get it: packed by build.ps1's package step, installed with Install-PSResource and with
# Install-Module from a local file repository into a fresh pwsh whose user data folder (XDG_DATA_HOME: modules,
# registered repositories) is a temporary one, so the machine's own modules are untouched.
BeforeAll {
    $script:Work = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-install-$([guid]::NewGuid().ToString('N'))")).FullName
    & (Join-Path $env:IMPVPN_REPO 'tools/New-ModulePackage.ps1') -ModulePath $env:IMPVPN_MODULE -OutputPath (Join-Path $Work 'package') 6>$null
    $script:Repository = Join-Path $Work 'package/repository'

    function Invoke-FreshPwsh([string] $Script) {
        $home_ = New-Item -ItemType Directory (Join-Path $Work ([guid]::NewGuid().ToString('N')))
        $file = Join-Path $home_ 'step.ps1'
        Set-Content $file ("`$ErrorActionPreference = 'Stop'`n" + $Script)
        $saved = $env:XDG_DATA_HOME, $env:PSModulePath
        try {
            $env:XDG_DATA_HOME = $home_.FullName
            $env:PSModulePath = $null
            Push-Location $env:IMPVPN_REPO
            $output = & dotnet tool run pwsh -NoProfile -NonInteractive -File $file 2>&1
            if ($LASTEXITCODE -ne 0) { throw "pwsh failed: $output" }
            $output | Select-Object -Last 1
        }
        finally {
            Pop-Location
            $env:XDG_DATA_HOME, $env:PSModulePath = $saved
        }
    }
}

AfterAll { Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Installing ImpVpn from a repository' {
    It 'produces a nupkg of the manifest version' {
        $version = (Import-PowerShellDataFile (Join-Path $env:IMPVPN_MODULE 'ImpVpn.psd1')).ModuleVersion
        Test-Path (Join-Path $Repository "ImpVpn.$version.nupkg") | Should -BeTrue
    }

    # PSResourceGet's CurrentUser folder cannot be redirected, so this saves into a temporary module folder
    # (Save-PSResource resolves, downloads and unpacks exactly as Install-PSResource does).
    It 'installs with PSResourceGet and runs a cmdlet' {
        Invoke-FreshPwsh @"
`$name = 'ImpVpnTest' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name `$name -Uri '$Repository' -Trusted
`$modules = Join-Path `$env:XDG_DATA_HOME 'modules'
New-Item -ItemType Directory `$modules | Out-Null
Save-PSResource ImpVpn -Repository `$name -Path `$modules -TrustRepository
`$env:PSModulePath = `$modules + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module ImpVpn
`$env:IMPVPN_HOME = Join-Path `$env:XDG_DATA_HOME 'store'
`$result = @(Get-VpnTunnel).Count.ToString() + ' ' + (Get-Module ImpVpn).ModuleBase
Unregister-PSResourceRepository -Name `$name
`$result
"@ | Should -BeLike "0 $Work*"
    }

    It 'installs with PowerShellGet, the module behind Install-Module, and runs a cmdlet' {
        Invoke-FreshPwsh @"
`$name = 'ImpVpnTest' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSRepository -Name `$name -SourceLocation '$Repository' -InstallationPolicy Trusted
try {
    `$modules = Join-Path `$env:XDG_DATA_HOME 'modules'
    New-Item -ItemType Directory `$modules | Out-Null
    Save-Module ImpVpn -Repository `$name -Path `$modules
    `$env:PSModulePath = `$modules + [IO.Path]::PathSeparator + `$env:PSModulePath
    Import-Module ImpVpn
    (Get-Command -Module ImpVpn).Count
}
finally { Unregister-PSRepository -Name `$name }
"@ | Should -Be '6'
    }
}
