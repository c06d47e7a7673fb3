# The scheduler recipes of docs/scheduled-refresh.md, taken from the document itself (the blocks after the
# `<!-- test:NAME -->` markers) so that what is tested is what a user copies:
# - the crontab line runs as cron runs it (env -i, /bin/sh, PATH=/usr/bin:/bin) for a user who installed pwsh and
#   the module as the document says, and refreshes a bought tunnel within its budget, writing its log;
# - the systemd service and timer pass `systemd-analyze --user verify` (which also checks that ExecStart exists);
# - the Task Scheduler registration parses and gives the task a principal.
# Only the node connection is substituted in the cron line (the simulator instead of ~/.lnd on mainnet); the store
# is the documented default, ~/.impvpn, of a throw-away HOME.
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Doc = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/scheduled-refresh.md')

    function Get-DocBlock([string] $Marker) {
        $pattern = '(?s)<!-- test:' + [regex]::Escape($Marker) + '\b[^>]*-->\r?\n```[a-z]*\r?\n(?<body>.*?)\r?\n```'
        $found = [regex]::Matches($Doc, $pattern)
        if ($found.Count -ne 1) { throw "docs/scheduled-refresh.md has $($found.Count) blocks marked test:$Marker, not one." }
        $found[0].Groups['body'].Value
    }

    # Runs a program with exactly the environment given (nothing inherited); returns exit code and output.
    function Invoke-Bare([string] $File, [string[]] $Arguments, [hashtable] $Environment, [int] $TimeoutSeconds = 180) {
        $info = [Diagnostics.ProcessStartInfo]::new($File)
        foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
        $info.Environment.Clear()
        foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "$File $Arguments did not end within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = ($stdout.Result + $stderr.Result).Trim() }
    }

    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-sched-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:UserHome = (New-Item -ItemType Directory (Join-Path $Root 'home')).FullName
    $script:NotLinux = if (-not $IsLinux) { 'the cron and systemd recipes are for Linux' }
    elseif (-not (Test-Path /usr/bin/env) -or -not (Test-Path /bin/sh)) { 'no /usr/bin/env or /bin/sh on this machine' }

    if (-not $NotLinux) {
        # The user's installation, as the document gives it: pwsh as a global .NET tool, the module in the user's
        # module folder. The tool comes from the machine's NuGet cache (the build restored the same version).
        $dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source
        $cache = (& $dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
        $environment = @{ HOME = $UserHome; PATH = [Environment]::GetEnvironmentVariable('PATH'); NUGET_PACKAGES = $cache.Trim()
            DOTNET_CLI_TELEMETRY_OPTOUT = '1'; DOTNET_NOLOGO = '1'; DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1' }
        if ($env:DOTNET_ROOT) { $environment.DOTNET_ROOT = $env:DOTNET_ROOT }
        $install = Invoke-Bare $dotnet @('tool', 'install', '--global', 'PowerShell', '--version', '7.6.9') $environment
        if ($install.ExitCode -ne 0) { throw "dotnet tool install --global PowerShell failed: $($install.Output)" }
        $modules = New-Item -ItemType Directory -Force (Join-Path $UserHome '.local/share/powershell/Modules')
        Copy-Item -Recurse $env:IMPVPN_MODULE (Join-Path $modules 'ImpVpn')
    }
}

AfterAll {
    Stop-SandboxProcess $script:Seller
    if ($script:Sim) { Stop-SandboxProcess $Sim.Process }
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The cron recipe' {
    It 'refreshes a bought tunnel within the budget when run as cron runs it, and writes the log' {
        if ($NotLinux) { Set-ItResult -Skipped -Because $NotLinux; return }
        $block = Get-DocBlock 'cron'
        $lines = @($block -split '\r?\n' | Where-Object { $_ -and -not $_.StartsWith('#') })
        $lines.Count | Should -Be 1
        $lines[0] | Should -Match '^(\S+\s+){5}\S'
        $command = $lines[0] -replace '^(\S+\s+){5}', ''
        $command | Should -Not -Match '%'              # cron would turn it into a newline
        $command | Should -Not -Match '^pwsh\b'        # not on cron's PATH for a user who installed as documented
        $command | Should -Match '-TotalBudgetSat 20000'

        $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node alice, bob
        $script:Seller = Start-SandboxSeller $Sim 'bob' (Join-Path $Root 'seller') '-Endpoint 192.0.2.1:51820 -ConfigOnly -PricePerHourSat 1000'
        $alice = Get-SandboxNode $Sim 'alice'
        $bob = (Get-SandboxNode $Sim 'bob').pubKey
        # Bought into the user's default store, the one the cron run finds through HOME.
        Connect-SandboxNode $Sim 'alice' (Join-Path $UserHome '.impvpn') | Out-Null
        $tunnel = Request-VpnQuote -PubKey $bob -Duration '00:30:00' | Confirm-VpnContract -ConfigOnly -MaxPriceSat 1000
        $tunnel.State | Should -Be 'Active'
        $before = Get-SandboxBalanceMsat $Sim 'alice'

        # Only the node connection changes: the simulator's alice instead of ~/.lnd on mainnet.
        $documented = '-LndDirectory ~/.lnd -Network mainnet'
        ([regex]::Matches($command, [regex]::Escape($documented))).Count | Should -Be 1
        $connection = "-RpcAddress '$($alice.rpcAddress)' -TlsCertPath '$($alice.tlsCertPath)' -MacaroonPath '$($alice.macaroonPath)' -Network regtest"
        $run = Invoke-Bare '/usr/bin/env' @('-i', "HOME=$UserHome", 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin', '/bin/sh', '-c', $command.Replace($documented, $connection)) @{}

        $log = Join-Path $UserHome '.impvpn/refresh.log'
        $logText = Get-Content -Raw $log -ErrorAction SilentlyContinue
        $run.ExitCode | Should -Be 0 -Because "the run printed: $($run.Output) $logText"
        Test-Path $log | Should -BeTrue
        $logText | Should -Not -BeNullOrEmpty
        $logText | Should -Not -Match 'not found|Exception|RefreshIncomplete'

        $after = Get-VpnTunnel -Id $tunnel.Id
        ($after.ExpiresAt - $tunnel.ExpiresAt) | Should -Be ([TimeSpan]::FromHours(6))
        $spentMsat = $before - (Get-SandboxBalanceMsat $Sim 'alice')
        $spentMsat | Should -BeGreaterOrEqual 6000000   # 6 h at the contract's 1,000 sat per hour
        $spentMsat | Should -BeLessOrEqual 20000000     # the line's -TotalBudgetSat, fees included
    }
}

Describe 'The systemd recipe' {
    It 'has a service and timer that systemd-analyze verify accepts, with pwsh where the document puts it' {
        if ($NotLinux) { Set-ItResult -Skipped -Because $NotLinux; return }
        $analyze = Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $analyze) { Set-ItResult -Skipped -Because 'systemd-analyze is not installed'; return }
        $units = New-Item -ItemType Directory (Join-Path $Root 'units')
        $service = Join-Path $units 'impvpn-refresh.service'
        $timer = Join-Path $units 'impvpn-refresh.timer'
        Set-Content -Path $service -Value (Get-DocBlock 'systemd-service')
        Set-Content -Path $timer -Value (Get-DocBlock 'systemd-timer')
        (Get-Content -Raw $service) | Should -Match '(?m)^ExecStart=%h/\.dotnet/tools/pwsh '
        (Get-Content -Raw $timer) | Should -Match '(?m)^OnCalendar='
        $runtime = New-Item -ItemType Directory (Join-Path $Root 'runtime')
        $runtime.UnixFileMode = [IO.UnixFileMode] 'UserRead, UserWrite, UserExecute'
        # A user manager's %h is $HOME: the home where pwsh was installed as the document says.
        $environment = @{ HOME = $UserHome; XDG_RUNTIME_DIR = $runtime.FullName; PATH = '/usr/bin:/bin' }

        $verify = Invoke-Bare $analyze.Source @('--user', 'verify', $service, $timer) $environment

        $verify.Output | Should -BeNullOrEmpty
        $verify.ExitCode | Should -Be 0

        # The check is real: the same units for a user without pwsh in ~/.dotnet/tools fail it.
        $environment.HOME = (New-Item -ItemType Directory (Join-Path $Root 'no-pwsh-home')).FullName
        $missing = Invoke-Bare $analyze.Source @('--user', 'verify', $service, $timer) $environment
        $missing.ExitCode | Should -Not -Be 0
        $missing.Output | Should -Match 'pwsh'
    }
}

Describe 'The Task Scheduler recipe' {
    It 'parses, runs pwsh by its full path, and registers the task with a principal that needs no logged-on user' {
        $script = Get-DocBlock 'windows'
        $tokens = $null
        $errors = $null
        $ast = [Management.Automation.Language.Parser]::ParseInput($script, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $commands = $ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] }, $true)
        function Get-Call([string] $Name) { @($commands | Where-Object { $_.GetCommandName() -eq $Name }) }
        function Get-Argument($Call, [string] $Parameter) {
            $elements = $Call.CommandElements
            for ($i = 0; $i -lt $elements.Count - 1; $i++) {
                if ($elements[$i] -is [Management.Automation.Language.CommandParameterAst] -and $elements[$i].ParameterName -eq $Parameter) {
                    return $elements[$i + 1].Extent.Text
                }
            }
        }

        $principal = Get-Call 'New-ScheduledTaskPrincipal'
        $principal.Count | Should -Be 1
        Get-Argument $principal[0] 'LogonType' | Should -BeIn @('S4U', 'Password')
        Get-Argument $principal[0] 'UserId' | Should -Not -BeNullOrEmpty
        Get-Argument $principal[0] 'RunLevel' | Should -Not -BeNullOrEmpty
        $principalVariable = ($principal[0].Parent.Parent.Left.VariablePath.UserPath)
        $principalVariable | Should -Not -BeNullOrEmpty

        $register = Get-Call 'Register-ScheduledTask'
        $register.Count | Should -Be 1
        Get-Argument $register[0] 'Principal' | Should -Be "`$$principalVariable"

        $action = Get-Call 'New-ScheduledTaskAction'
        Get-Argument $action[0] 'Execute' | Should -Not -Match "^'?pwsh(\.exe)?'?$"   # Task Scheduler searches no user's PATH
        $script | Should -Match 'Update-VpnContract -ExpiringWithin \S+ -Duration \S+ -TotalBudgetSat \d+'
    }
}
