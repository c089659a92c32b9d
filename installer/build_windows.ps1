# Build the Windows installer on a Windows PC with Python 3.11+ and Inno Setup 6:
#   powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1
# Output: build\dist\commune_desk\ (one-folder app) and build\installer\commune_desk-<version>-setup.exe
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path .venv)) { py -3 -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install --upgrade pip
& $py -m pip install -e ".[build]"
$version = & $py -c "import commune_desk; print(commune_desk.__version__)"
& $py -m PyInstaller installer\commune_desk.spec --noconfirm --distpath build\dist --workpath build\work
# smoke test: the frozen program opens, migrates an empty data folder and exits cleanly
$tmp = Join-Path $env:TEMP ("commune_desk_smoke_" + [guid]::NewGuid())
& build\dist\commune_desk\commune_desk.exe --version
& build\dist\commune_desk\commune_desk.exe --data-dir $tmp check
if ($LASTEXITCODE -ne 0) { throw "smoke test failed" }
$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (-not (Test-Path $iscc)) { $iscc = "$env:ProgramFiles\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" installer\commune_desk.iss
