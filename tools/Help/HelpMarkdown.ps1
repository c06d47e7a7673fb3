# Reads and writes the per-cmdlet markdown pages in docs/cmdlets, in PlatyPS's layout (schema 2.0.0), so
# PlatyPS can take the pages over where it is installed. The prose (synopsis, description, examples,
# parameter descriptions, notes) belongs to the page; syntax and the parameter YAML are rendered from the
# cmdlet itself every time.

$script:FillPrefix = '{{ Fill'

# Splits markdown into level-2 sections: name -> text, in order.
function Split-MarkdownSection([string] $Text, [string] $Marker) {
    $sections = [ordered]@{}
    $current = $null
    $buffer = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in ($Text -split "`r?`n")) {
        if ($line.StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith("$Marker ")) {
            if ($null -ne $current) { $sections[$current] = ($buffer -join "`n").Trim() }
            $current = $line.Substring($Marker.Length + 1).Trim()
            $buffer.Clear()
            continue
        }
        if ($null -ne $current) { $buffer.Add($line) }
    }
    if ($null -ne $current) { $sections[$current] = ($buffer -join "`n").Trim() }
    return $sections
}

# Text outside fenced blocks, and the fenced blocks themselves, in order.
function Split-Fence([string] $Text) {
    $parts = [System.Collections.Generic.List[object]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    $fence = $null
    foreach ($line in ($Text -split "`r?`n")) {
        if ($line.StartsWith('```')) {
            if ($null -eq $fence) {
                $parts.Add([pscustomobject]@{ Kind = 'text'; Language = ''; Text = ($buffer -join "`n").Trim() })
                $fence = $line.Substring(3).Trim()
            }
            else {
                $parts.Add([pscustomobject]@{ Kind = 'code'; Language = $fence; Text = ($buffer -join "`n") })
                $fence = $null
            }
            $buffer.Clear()
            continue
        }
        $buffer.Add($line)
    }
    $parts.Add([pscustomobject]@{ Kind = 'text'; Language = ''; Text = ($buffer -join "`n").Trim() })
    return @($parts | Where-Object { $_.Kind -eq 'code' -or $_.Text })
}

function Read-HelpMarkdown([string] $Path) {
    $text = Get-Content -Raw $Path
    $name = ([regex]::Match($text, '(?m)^# (\S+)\s*$')).Groups[1].Value
    $sections = Split-MarkdownSection $text '##'
    $examples = foreach ($entry in (Split-MarkdownSection $sections['EXAMPLES'] '###').GetEnumerator()) {
        $parts = Split-Fence $entry.Value
        $code = @($parts | Where-Object Kind -eq 'code')
        [pscustomobject]@{
            Title   = $entry.Key
            Code    = if ($code) { $code[0].Text } else { '' }
            Remarks = (@($parts | Where-Object Kind -eq 'text') | ForEach-Object Text) -join "`n`n"
        }
    }
    $parameters = [ordered]@{}
    foreach ($entry in (Split-MarkdownSection $sections['PARAMETERS'] '###').GetEnumerator()) {
        if ($entry.Key -eq 'CommonParameters') { continue }
        $prose = @(Split-Fence $entry.Value | Where-Object Kind -eq 'text' | ForEach-Object Text) -join "`n`n"
        $parameters[$entry.Key.TrimStart('-')] = $prose
    }
    $typeNotes = {
        param($section)
        $notes = [ordered]@{}
        if ($section) {
            foreach ($entry in (Split-MarkdownSection $section '###').GetEnumerator()) { $notes[$entry.Key] = $entry.Value }
        }
        $notes
    }
    $links = @([regex]::Matches([string] $sections['RELATED LINKS'], '\[([^\]]+)\]\(([^)]*)\)') |
            ForEach-Object { [pscustomobject]@{ Text = $_.Groups[1].Value; Uri = $_.Groups[2].Value } })
    return [pscustomobject]@{
        Name        = $name
        Synopsis    = [string] $sections['SYNOPSIS']
        Description = [string] $sections['DESCRIPTION']
        Examples    = @($examples)
        Parameters  = $parameters
        Inputs      = & $typeNotes $sections['INPUTS']
        Outputs     = & $typeNotes $sections['OUTPUTS']
        Notes       = [string] $sections['NOTES']
        Links       = $links
    }
}

function Format-ParameterYaml([System.Management.Automation.CmdletInfo] $Command, [System.Management.Automation.ParameterMetadata] $Parameter) {
    $default = Get-ParameterDefault $Command $Parameter.Name
    $blocks = foreach ($usage in (Get-ParameterUsage $Command $Parameter)) {
        @(
            '```yaml'
            "Type: $(Get-HelpTypeName $Parameter.ParameterType)"
            "Parameter Sets: $($usage.Sets)"
            "Aliases:$(if ($Parameter.Aliases.Count) { ' ' + ($Parameter.Aliases -join ', ') })"
            $accepted = Get-AcceptedValues $Parameter
            if ($accepted.Count) { "Accepted values: $($accepted -join ', ')" }
            ''
            "Required: $($usage.Required)"
            "Position: $($usage.Position)"
            "Default value: $default"
            "Accept pipeline input: $($usage.Pipeline)"
            'Accept wildcard characters: False'
            '```'
        ) -join "`n"
    }
    return $blocks -join "`n`n"
}

# The page for a cmdlet: prose from $Model (or placeholders PlatyPS-style), facts from $Command.
function Format-HelpMarkdown([System.Management.Automation.CmdletInfo] $Command, $Model) {
    $fill = { param($what) "$script:FillPrefix $what }}" }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.AddRange([string[]] @(
            '---'
            'external help file: ImpVpn.PowerShell.dll-Help.xml'
            'Module Name: ImpVpn'
            'online version:'
            'schema: 2.0.0'
            '---'
            ''
            "# $($Command.Name)"
            ''
            '## SYNOPSIS'
            $(if ($Model.Synopsis) { $Model.Synopsis } else { & $fill 'in the Synopsis' })
            ''
            '## SYNTAX'
            ''))
    foreach ($syntax in (Get-SyntaxLines $Command)) {
        if ($Command.ParameterSets.Count -gt 1) {
            $lines.Add("### $($syntax.Set)$(if ($syntax.IsDefault) { ' (Default)' })")
        }
        $lines.AddRange([string[]] @('```', $syntax.Line, '```', ''))
    }
    $lines.AddRange([string[]] @(
            '## DESCRIPTION'
            $(if ($Model.Description) { $Model.Description } else { & $fill 'in the Description' })
            ''
            '## EXAMPLES'
            ''))
    $examples = @($Model.Examples)
    if ($examples.Count -eq 0) {
        $examples = @([pscustomobject]@{ Title = 'Example 1'; Code = (& $fill 'Example code'); Remarks = (& $fill 'Example remarks') })
    }
    foreach ($example in $examples) {
        $lines.AddRange([string[]] @("### $($example.Title)", '```powershell', $example.Code, '```', ''))
        if ($example.Remarks) { $lines.AddRange([string[]] @($example.Remarks, '')) }
    }
    $lines.AddRange([string[]] @('## PARAMETERS', ''))
    foreach ($parameter in (Get-DocumentedParameters $Command)) {
        $prose = $Model.Parameters[$parameter.Name]
        $lines.AddRange([string[]] @(
                "### -$($parameter.Name)"
                $(if ($prose) { $prose } else { & $fill "$($parameter.Name) Description" })
                ''
                (Format-ParameterYaml $Command $parameter)
                ''))
    }
    $lines.AddRange([string[]] @(
            '### CommonParameters'
            'This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).'
            ''))
    foreach ($kind in 'INPUTS', 'OUTPUTS') {
        $lines.AddRange([string[]] @("## $kind", ''))
        $names = if ($kind -eq 'INPUTS') { Get-InputTypeNames $Command } else { Get-OutputTypeNames $Command }
        $notes = if ($kind -eq 'INPUTS') { $Model.Inputs } else { $Model.Outputs }
        foreach ($orphan in @($notes.Keys | Where-Object { $_ -notin $names })) {
            Write-Warning "$($Command.Name): $kind no longer has $orphan; its text is dropped: $($notes[$orphan])"
        }
        foreach ($typeName in $names) {
            $lines.Add("### $typeName")
            if ($notes -and $notes[$typeName]) { $lines.Add($notes[$typeName]) }
            $lines.Add('')
        }
    }
    $lines.AddRange([string[]] @('## NOTES', $(if ($Model.Notes) { $Model.Notes }), '', '## RELATED LINKS', ''))
    foreach ($link in $Model.Links) { $lines.AddRange([string[]] @("[$($link.Text)]($($link.Uri))", '')) }
    return (($lines -join "`n").TrimEnd() -replace "`n{3,}", "`n`n") + "`n"
}

function Get-EmptyHelpModel {
    return [pscustomobject]@{
        Synopsis = ''; Description = ''; Examples = @(); Parameters = [ordered]@{}
        Inputs = [ordered]@{}; Outputs = [ordered]@{}; Notes = ''; Links = @()
    }
}
