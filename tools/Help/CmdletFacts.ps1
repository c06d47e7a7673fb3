# What the help says about syntax, types, defaults and pipeline input is read from the loaded cmdlets,
# never typed by hand: these functions turn a CmdletInfo into those facts.

# Parameters every cmdlet gets from PowerShell; their help lives in about_CommonParameters. -WhatIf and
# -Confirm are documented on the page, as PlatyPS does, because they say the cmdlet changes something.
$script:CommonParameterNames = @([System.Management.Automation.PSCmdlet]::CommonParameters) + 'UseTransaction'

function Get-HelpTypeName([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    return $Type.Name
}

function Get-HelpFullTypeName([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    return $Type.FullName
}

# The value a parameter has when it is not given: read from a fresh instance of the cmdlet class,
# so the help cannot drift from the property initialisers.
function Get-ParameterDefault([System.Management.Automation.CmdletInfo] $Command, [string] $Name) {
    $property = $Command.ImplementingType.GetProperty($Name)
    # -WhatIf and -Confirm come from PowerShell, not from a property of the cmdlet; a parameter that must
    # always be given has no default worth showing.
    if (-not $property) { return 'False' }
    if (@($Command.Parameters[$Name].ParameterSets.Values | Where-Object { -not $_.IsMandatory }).Count -eq 0) { return 'None' }
    $value = $property.GetValue([Activator]::CreateInstance($Command.ImplementingType))
    if ($null -eq $value) { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $(if ($value.IsPresent) { 'True' } else { 'False' }) }
    if ($value -is [string] -and $value.Length -eq 0) { return 'None' }
    if ($value -is [Array] -and $value.Length -eq 0) { return 'None' }
    if ($value -is [timespan]) { return $value.ToString('c') }
    return [string] $value
}

function Get-DocumentedParameters([System.Management.Automation.CmdletInfo] $Command) {
    return @($Command.Parameters.Values |
            Where-Object { $_.Name -notin $script:CommonParameterNames } |
            Sort-Object Name)
}

function Get-PipelineInputText([System.Management.Automation.ParameterSetMetadata] $Set) {
    $kinds = @()
    if ($Set.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($Set.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($kinds.Count -eq 0) { return 'False' }
    return "True ($($kinds -join ', '))"
}

# One entry per group of parameter sets in which the parameter behaves the same way (PlatyPS's rule):
# a parameter mandatory in one set and optional in another gets two blocks.
function Get-ParameterUsage([System.Management.Automation.CmdletInfo] $Command, [System.Management.Automation.ParameterMetadata] $Parameter) {
    $allSets = @($Command.ParameterSets | ForEach-Object Name)
    $usages = foreach ($entry in $Parameter.ParameterSets.GetEnumerator()) {
        $position = if ($entry.Value.Position -lt 0) { 'Named' } else { [string] $entry.Value.Position }
        [pscustomobject]@{
            Set      = $entry.Key
            Required = [bool] $entry.Value.IsMandatory
            Position = $position
            Pipeline = Get-PipelineInputText $entry.Value
        }
    }
    $groups = @($usages | Group-Object Required, Position, Pipeline)
    foreach ($group in $groups) {
        $sets = @($group.Group | ForEach-Object Set)
        $inAll = $sets -contains '__AllParameterSets' -or ($sets.Count -eq $allSets.Count -and $groups.Count -eq 1)
        $first = $group.Group[0]
        [pscustomobject]@{
            Sets     = if ($inAll) { '(All)' } else { ($allSets | Where-Object { $_ -in $sets }) -join ', ' }
            Required = $first.Required
            Position = $first.Position
            Pipeline = $first.Pipeline
        }
    }
}

function Get-SyntaxLines([System.Management.Automation.CmdletInfo] $Command) {
    foreach ($set in $Command.ParameterSets) {
        [pscustomobject]@{
            Set       = $set.Name
            IsDefault = $set.IsDefault -or $Command.ParameterSets.Count -eq 1
            Line      = "$($Command.Name) $set"
        }
    }
}

# Types a cmdlet takes from the pipeline, and the types it declares it emits.
function Get-InputTypeNames([System.Management.Automation.CmdletInfo] $Command) {
    $names = foreach ($parameter in (Get-DocumentedParameters $Command)) {
        foreach ($set in $parameter.ParameterSets.Values) {
            if ($set.ValueFromPipeline -or $set.ValueFromPipelineByPropertyName) {
                Get-HelpFullTypeName $parameter.ParameterType
            }
        }
    }
    $unique = @($names | Select-Object -Unique)
    if ($unique.Count -eq 0) { return @('None') }
    return $unique
}

function Get-OutputTypeNames([System.Management.Automation.CmdletInfo] $Command) {
    $names = @($Command.OutputType | ForEach-Object { $_.Type.FullName } | Where-Object { $_ } | Select-Object -Unique)
    if ($names.Count -eq 0) { return @('None') }
    return $names
}

# The values a ValidateSet allows, as PlatyPS lists them under "Accepted values".
function Get-AcceptedValues([System.Management.Automation.ParameterMetadata] $Parameter) {
    $set = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    return @()
}
