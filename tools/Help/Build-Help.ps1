#Requires -Version 7.4
<#
.SYNOPSIS
    Builds ImpVpn's Get-Help content from docs/help, or refreshes those pages from the cmdlets.
.DESCRIPTION
    docs/help holds one markdown page per cmdlet in PlatyPS's layout, plus about_ImpVpn.md. PlatyPS is not
    available on every machine that builds ImpVpn, so this script does the two jobs the build needs:
      -Update   creates missing pages and re-renders the syntax and parameter YAML of existing ones from the
                cmdlets (prose is kept; new parameters get a "{{ Fill ... }}" placeholder to write);
      default   writes en-US/ImpVpn.PowerShell.dll-Help.xml (MAML) and en-US/about_ImpVpn.help.txt into the
                module folder.
    Run it in a pwsh of its own: it imports the module from -ModulePath to read the cmdlets.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $DocsPath = (Join-Path $PSScriptRoot '../../docs/help'),
    [switch] $Update
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'CmdletFacts.ps1')
. (Join-Path $PSScriptRoot 'HelpMarkdown.ps1')
. (Join-Path $PSScriptRoot 'MamlWriter.ps1')

$module = Import-Module (Resolve-Path $ModulePath).Path -PassThru -Force
$commands = @($module.ExportedCmdlets.Values)

if ($Update) {
    foreach ($command in $commands) {
        $page = Join-Path $DocsPath "$($command.Name).md"
        $model = if (Test-Path $page) { Read-HelpMarkdown $page } else { Get-EmptyHelpModel }
        Set-Content -Path $page -Value (Format-HelpMarkdown $command $model) -NoNewline -Encoding utf8NoBOM
        Write-Host "Wrote $page"
    }
    return
}

$culture = Join-Path $module.ModuleBase 'en-US'
Export-MamlHelp -Commands $commands -DocsPath $DocsPath -OutputFile (Join-Path $culture 'ImpVpn.PowerShell.dll-Help.xml')
Export-AboutHelp -MarkdownPath (Join-Path $DocsPath 'about_ImpVpn.md') -OutputFile (Join-Path $culture 'about_ImpVpn.help.txt')
Write-Host "Wrote help for $($commands.Count) cmdlets and about_ImpVpn to $culture"
