# Get-Help as users see it, from the staged module: every cmdlet has a synopsis, a description, every parameter
# described and at least two examples that parse and bind; about_ImpVpn is found; and docs/help, the source of
# all of it, is up to date with the cmdlets.
BeforeDiscovery {
    $module = Import-Module $env:IMPVPN_MODULE -PassThru -Force
    $script:CmdletNames = @($module.ExportedCmdlets.Keys | Sort-Object)
}

BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    $helpTools = Join-Path $env:IMPVPN_REPO 'tools/Help'
    . (Join-Path $helpTools 'CmdletFacts.ps1')
    . (Join-Path $helpTools 'HelpMarkdown.ps1')
    $script:DocsPath = Join-Path $env:IMPVPN_REPO 'docs/help'

    function Get-HelpText($Node) { (@($Node) | ForEach-Object { $_.Text }) -join "`n" }
}

Describe 'Get-Help <_>' -ForEach $CmdletNames {
    BeforeAll {
        $script:Name = $_
        $script:Command = Get-Command $Name
        $script:Help = Get-Help $Name -Full
    }

    It 'has a written synopsis and description' {
        # Without help, PowerShell makes the synopsis up from the syntax.
        $Help.Synopsis | Should -Not -BeLike "$Name *"
        $Help.Synopsis.Length | Should -BeGreaterThan 20
        (Get-HelpText $Help.description).Length | Should -BeGreaterThan 100
    }

    It 'describes every parameter, with its type' {
        foreach ($parameter in (Get-DocumentedParameters $Command)) {
            $entry = @($Help.parameters.parameter | Where-Object name -eq $parameter.Name)
            $entry.Count | Should -Be 1 -Because "-$($parameter.Name) must be in the help"
            (Get-HelpText $entry[0].description).Length | Should -BeGreaterThan 10 -Because "-$($parameter.Name) needs a description"
            if (-not $parameter.SwitchParameter) {
                $entry[0].type.name | Should -Be (Get-HelpFullTypeName $parameter.ParameterType)
            }
        }
    }

    It 'says what each input and output type is' {
        foreach ($type in @($Help.inputTypes.inputType) + @($Help.returnValues.returnValue)) {
            (Get-HelpText $type.description).Length | Should -BeGreaterThan 5 -Because "$($type.type.name) needs a description"
        }
    }

    It 'has at least two examples, each of which parses and binds to real parameters' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because $example.title
            $calls = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) |
                    Where-Object { $_.GetCommandName() -in $CmdletNames })
            $calls.Count | Should -BeGreaterThan 0 -Because "$($example.title) should use ImpVpn"
            foreach ($call in $calls) {
                # The static binder resolves parameter names, parameter sets and positions as PowerShell would.
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
                $binding.BindingExceptions.Keys | Should -BeNullOrEmpty -Because "$($example.title): $($call.Extent.Text)"
            }
        }
        @($examples | Where-Object { $_.code -match [regex]::Escape($Name) }).Count | Should -BeGreaterOrEqual 2
    }

    It 'has its page in docs/help, up to date with the cmdlet' {
        $page = Join-Path $DocsPath "$Name.md"
        Test-Path $page | Should -BeTrue
        $text = Get-Content -Raw $page
        $text | Should -Not -Match '\{\{ Fill' -Because 'every placeholder must be written'
        Format-HelpMarkdown $Command (Read-HelpMarkdown $page) | Should -BeExactly $text -Because (
            'syntax and parameters changed: run tools/Help/Build-Help.ps1 -ModulePath out/module/ImpVpn -Update')
    }
}

Describe 'Module help' {
    It 'shows about_ImpVpn' {
        $about = Get-Help about_ImpVpn | Out-String
        $about | Should -Match 'TOPIC\s+about_ImpVpn'
        $about | Should -Match 'Confirm-VpnContract'
    }

    It 'shows examples with Get-Help -Examples' {
        $text = Get-Help Confirm-VpnContract -Examples | Out-String
        $text | Should -Match 'Example 1'
        $text | Should -Match 'Request-VpnQuote'
    }

    It 'has no page in docs/help for a cmdlet that does not exist' {
        $pages = Get-ChildItem $DocsPath -Filter '*.md' | Where-Object Name -NotLike 'about_*' | ForEach-Object BaseName
        $pages | Sort-Object | Should -Be $CmdletNames
    }
}
