; Inno Setup 6 script for commune_desk (Vietnamese first, English second).
; Build on Windows after PyInstaller (see installer\build_windows.ps1):
;   ISCC.exe /DAppVersion=0.1.0 installer\commune_desk.iss
; Installs per machine, adds Start menu and desktop shortcuts, never touches the user's
; data folder on upgrade; on uninstall it asks before deleting the data.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "commune_desk"
#define AppExe "commune_desk.exe"

[Setup]
AppId={{6F1C3B2E-8D4A-4C5B-9E71-2A0D5C7B9F13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=commune_desk
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\build\installer
OutputBaseFilename=commune_desk-{#AppVersion}-setup
SetupIconFile=..\resources\icons\commune_desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
CloseApplications=yes

[Languages]
; Inno Setup ships no Vietnamese translation: Vietnamese.isl (beside this script) overrides
; the messages a user sees on top of Default.isl (later files override earlier ones).
Name: "vi"; MessagesFile: "compiler:Default.isl,Vietnamese.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
vi.DeleteData=Xóa cả dữ liệu của commune_desk (hồ sơ, sao lưu) trong %1?%n%nChọn "Không" để giữ dữ liệu (khuyên dùng).
en.DeleteData=Also delete commune_desk's data (dossiers, backups) in %1?%n%nChoose "No" to keep it (recommended).
vi.LaunchApp=Mở commune_desk
en.LaunchApp=Start commune_desk

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\build\dist\commune_desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

[Code]
// The data folder is platformdirs' user data folder: %LOCALAPPDATA%\commune_desk.
// It is never in {app}, so upgrades keep it; uninstall asks before deleting it.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\commune_desk');
    if DirExists(DataDir) then
      if MsgBox(FmtMessage(CustomMessage('DeleteData'), [DataDir]), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
