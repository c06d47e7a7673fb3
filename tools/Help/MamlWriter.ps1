# Writes the MAML file Get-Help reads for binary cmdlets (en-US/<assembly>-Help.xml), from the markdown
# pages (prose) and the loaded cmdlets (syntax, types, defaults, pipeline input), and turns the about_ page
# into the plain-text about_*.help.txt that Get-Help about_ImpVpn shows.

$script:Maml = 'http://schemas.microsoft.com/maml/2004/10'
$script:Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:Dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string] $Text) {
    $paragraphs = @($Text -split "`n\s*`n" | ForEach-Object { ($_ -split "`n" | ForEach-Object Trim) -join ' ' } | Where-Object { $_ })
    foreach ($paragraph in $paragraphs) {
        $Writer.WriteElementString('maml', 'para', $script:Maml, (ConvertFrom-MarkdownInline $paragraph))
    }
}

# Get-Help prints plain text: drop inline code ticks and turn [text](uri) into "text (uri)".
function ConvertFrom-MarkdownInline([string] $Text) {
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)')
    return $Text -replace '`', '' -replace '\*\*', ''
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Command, $Parameter, [string] $Description, [string] $Set) {
    $usages = @(Get-ParameterUsage $Command $Parameter)
    $usage = if ($Set) {
        $found = $Parameter.ParameterSets[$Set]
        if (-not $found) { $found = $Parameter.ParameterSets['__AllParameterSets'] }
        [pscustomobject]@{
            Required = [bool] $found.IsMandatory
            Position = if ($found.Position -lt 0) { 'named' } else { [string] ($found.Position + 1) }
            Pipeline = Get-PipelineInputText $found
        }
    }
    else {
        # The parameter list shows one entry per parameter: mandatory if mandatory anywhere.
        [pscustomobject]@{
            Required = [bool] ($usages | Where-Object Required)
            Position = if ($usages[0].Position -eq 'Named') { 'named' } else { [string] ([int] $usages[0].Position + 1) }
            Pipeline = ($usages | Where-Object Pipeline -ne 'False' | Select-Object -First 1).Pipeline ?? 'False'
        }
    }
    $isSwitch = $Parameter.SwitchParameter
    $Writer.WriteStartElement('command', 'parameter', $script:Command)
    $Writer.WriteAttributeString('required', $usage.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', 'false')
    $Writer.WriteAttributeString('pipelineInput', $usage.Pipeline)
    $Writer.WriteAttributeString('position', $usage.Position)
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $script:Maml, $Parameter.Name)
    $Writer.WriteStartElement('maml', 'description', $script:Maml)
    Write-Paragraphs $Writer $Description
    $Writer.WriteEndElement()
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:Command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString((Get-HelpTypeName $Parameter.ParameterType))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $script:Dev)
    $Writer.WriteElementString('maml', 'name', $script:Maml, (Get-HelpFullTypeName $Parameter.ParameterType))
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $script:Dev, (Get-ParameterDefault $Command $Parameter.Name))
    $Writer.WriteEndElement()
}

function Write-CommandHelp([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, $Model) {
    $Writer.WriteStartElement('command', 'command', $script:Command)
    $Writer.WriteStartElement('command', 'details', $script:Command)
    $Writer.WriteElementString('command', 'name', $script:Command, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $script:Command, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $script:Command, $Command.Noun)
    $Writer.WriteStartElement('maml', 'description', $script:Maml)
    Write-Paragraphs $Writer $Model.Synopsis
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('maml', 'description', $script:Maml)
    Write-Paragraphs $Writer $Model.Description
    $Writer.WriteEndElement()

    $parameters = Get-DocumentedParameters $Command
    $Writer.WriteStartElement('command', 'syntax', $script:Command)
    foreach ($set in $Command.ParameterSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:Command)
        $Writer.WriteElementString('maml', 'name', $script:Maml, $Command.Name)
        $inSet = $set.Parameters | ForEach-Object Name
        # Positional parameters first, in position order, as PowerShell's own syntax lines show them.
        $ordered = $parameters | Where-Object { $_.Name -in $inSet } | Sort-Object @{
            Expression = { $p = $set.Parameters | Where-Object Name -eq $_.Name; if ($p.Position -lt 0) { [int]::MaxValue } else { $p.Position } } }, Name
        foreach ($parameter in $ordered) {
            Write-Parameter $Writer $Command $parameter $Model.Parameters[$parameter.Name] $set.Name
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:Command)
    foreach ($parameter in $parameters) {
        Write-Parameter $Writer $Command $parameter $Model.Parameters[$parameter.Name] $null
    }
    $Writer.WriteEndElement()

    foreach ($kind in @(@{ Element = 'inputTypes'; Item = 'inputType'; Names = (Get-InputTypeNames $Command); Notes = $Model.Inputs },
            @{ Element = 'returnValues'; Item = 'returnValue'; Names = (Get-OutputTypeNames $Command); Notes = $Model.Outputs })) {
        $Writer.WriteStartElement('command', $kind.Element, $script:Command)
        foreach ($typeName in $kind.Names) {
            $Writer.WriteStartElement('command', $kind.Item, $script:Command)
            $Writer.WriteStartElement('dev', 'type', $script:Dev)
            $Writer.WriteElementString('maml', 'name', $script:Maml, $typeName)
            $Writer.WriteEndElement()
            $Writer.WriteStartElement('maml', 'description', $script:Maml)
            Write-Paragraphs $Writer ([string] $kind.Notes[$typeName])
            $Writer.WriteEndElement()
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $script:Maml)
    $Writer.WriteStartElement('maml', 'alert', $script:Maml)
    Write-Paragraphs $Writer $Model.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $script:Command)
    foreach ($example in $Model.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:Command)
        $Writer.WriteElementString('maml', 'title', $script:Maml, "--------- $($example.Title) ---------")
        $Writer.WriteElementString('dev', 'code', $script:Dev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $script:Dev)
        Write-Paragraphs $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:Command)
    foreach ($link in $Model.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:Maml)
        $Writer.WriteElementString('maml', 'linkText', $script:Maml, $link.Text)
        # Links between the markdown pages mean nothing to Get-Help: the link text names the topic.
        $Writer.WriteElementString('maml', 'uri', $script:Maml, $(if ($link.Uri -match '^https?://') { $link.Uri } else { '' }))
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

function Export-MamlHelp([System.Management.Automation.CmdletInfo[]] $Commands, [string] $DocsPath, [string] $OutputFile) {
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    New-Item -ItemType Directory -Force (Split-Path $OutputFile) | Out-Null
    $writer = [System.Xml.XmlWriter]::Create($OutputFile, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        $writer.WriteAttributeString('xmlns', 'maml', $null, $script:Maml)
        $writer.WriteAttributeString('xmlns', 'command', $null, $script:Command)
        $writer.WriteAttributeString('xmlns', 'dev', $null, $script:Dev)
        foreach ($command in ($Commands | Sort-Object Name)) {
            $page = Join-Path $DocsPath "$($command.Name).md"
            if (-not (Test-Path $page)) { throw "No help page for $($command.Name): $page. Run: dotnet pwsh ./build.ps1 help" }
            Write-CommandHelp $writer $command (Read-HelpMarkdown $page)
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
}

# about_ pages: "# about_X", "## SHORT DESCRIPTION", ... become the classic text layout: headings in capitals
# at the margin, prose wrapped at 80 columns and indented four spaces, code blocks indented eight.
function Export-AboutHelp([string] $MarkdownPath, [string] $OutputFile) {
    $text = Get-Content -Raw $MarkdownPath
    $topic = ([regex]::Match($text, '(?m)^# (\S+)')).Groups[1].Value
    $out = [System.Collections.Generic.List[string]]::new()
    $out.AddRange([string[]] @('TOPIC', "    $topic", ''))
    foreach ($section in (Split-MarkdownSection $text '##').GetEnumerator()) {
        $out.Add($section.Key.ToUpperInvariant())
        foreach ($part in (Split-Fence $section.Value)) {
            if ($part.Kind -eq 'code') {
                $out.AddRange([string[]] @($part.Text -split "`n" | ForEach-Object { "        $_".TrimEnd() }))
                $out.Add('')
                continue
            }
            foreach ($block in ($part.Text -split "`n\s*`n")) {
                if ($block -match '^###\s+(.*)') { $out.AddRange([string[]] @("  $($Matches[1])", '')); continue }
                $isList = $block -match '^\s*- '
                $items = if ($isList) { $block -split "`n(?=\s*- )" } else { @($block) }
                foreach ($item in $items) {
                    $words = (ConvertFrom-MarkdownInline (($item -split "`n" | ForEach-Object Trim) -join ' ')) -split ' '
                    $indent = '    '
                    $line = $indent
                    foreach ($word in $words) {
                        if ($line.Length + $word.Length + 1 -gt 80 -and $line.Trim()) {
                            $out.Add($line.TrimEnd())
                            $line = $indent + $(if ($isList) { '  ' })
                        }
                        $line += "$word "
                    }
                    $out.Add($line.TrimEnd())
                }
                $out.Add('')
            }
        }
    }
    New-Item -ItemType Directory -Force (Split-Path $OutputFile) | Out-Null
    Set-Content -Path $OutputFile -Value (($out -join "`n").TrimEnd() + "`n") -NoNewline -Encoding utf8NoBOM
}
