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

    It 'carries what the gallery and users look for, and names its cmdlets without wildcards' {
        $info = Test-ModuleManifest -Path $Manifest
        $data = Import-PowerShellDataFile $Manifest
        $info.Guid | Should -Not -Be ([guid]::Empty)
        $info.Author | Should -Not -BeNullOrEmpty
        $info.Description.Length | Should -BeGreaterThan 40
        $info.CompatiblePSEditions | Should -Be @('Core')
        $info.PowerShellVersion | Should -Be ([version] '7.4')
        $info.Tags | Should -Contain 'WireGuard'
        $info.ProjectUri | Should -Not -BeNullOrEmpty
        $info.LicenseUri | Should -Not -BeNullOrEmpty
        $info.ReleaseNotes | Should -Match $info.Version.ToString(3)
        @($data.CmdletsToExport) | Should -Not -BeLike '*[*?]*'
        @($data.FunctionsToExport).Count + @($data.AliasesToExport).Count | Should -Be 0
    }

    It 'ships its views, types and help beside the manifest' {
        foreach ($file in @((Import-PowerShellDataFile $Manifest).FormatsToProcess) + @((Import-PowerShellDataFile $Manifest).TypesToProcess) +
            'en-US/ImpVpn.PowerShell.dll-Help.xml', 'en-US/about_ImpVpn.help.txt') {
            Test-Path (Join-Path $ModuleFolder $file) | Should -BeTrue -Because $file
        }
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
