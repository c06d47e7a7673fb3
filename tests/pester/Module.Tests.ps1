# Loads the staged module as a user would and checks what it exports against the manifest.
BeforeAll {
    $script:ModuleFolder = $env:IMPVPN_MODULE
    $script:Manifest = Join-Path $ModuleFolder 'ImpVpn.psd1'
}

Describe 'The staged ImpVpn module' {
    It 'has a valid manifest' {
        $info = Test-ModuleManifest -Path $Manifest
        $info.Name | Should -Be 'ImpVpn'
        $info.Version | Should -BeGreaterThan ([version] '0.0.0')
    }

    It 'imports from its folder and exports exactly the cmdlets its manifest names' {
        $module = Import-Module $ModuleFolder -PassThru -Force
        try {
            $declared = @((Import-PowerShellDataFile $Manifest).CmdletsToExport) | Sort-Object
            $exported = @($module.ExportedCmdlets.Keys) | Sort-Object
            $exported | Should -Be $declared
        }
        finally {
            Remove-Module ImpVpn -Force
        }
    }

    It 'stamps its assemblies with the manifest version' {
        $manifestVersion = [version] (Import-PowerShellDataFile $Manifest).ModuleVersion
        foreach ($file in 'ImpVpn.PowerShell.dll', 'Dependencies/ImpVpn.Core.dll') {
            $assembly = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModuleFolder $file))
            $assembly.Version.ToString(3) | Should -Be $manifestVersion.ToString(3) -Because $file
        }
    }

    It 'keeps its dependencies out of the module root, for its own load context' {
        Test-Path (Join-Path $ModuleFolder 'Google.Protobuf.dll') | Should -BeFalse
        Test-Path (Join-Path $ModuleFolder 'Dependencies/Google.Protobuf.dll') | Should -BeTrue
    }
}
