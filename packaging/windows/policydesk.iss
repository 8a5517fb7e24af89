; Inno Setup script for PolicyDesk (惠企政策直通车) on Windows.
;
; Build the app folder first, on Windows:
;     python packaging\build.py --check
; then compile the installer (Inno Setup 6, https://jrsoftware.org/isinfo.php):
;     iscc /DAppVersion=0.1.0 packaging\windows\policydesk.iss
; → packaging\dist\PolicyDesk-0.1.0-setup.exe
;
; The installer copies packaging\dist\PolicyDesk\ to Program Files (or the user's own
; programs folder when installed without admin rights), adds Start-menu entries for the
; desktop app and a command prompt for the CLI, and registers an uninstaller.
;
; User data — imported documents, corrections, saved profiles, the KB cache — lives in
; %LOCALAPPDATA%\PolicyDesk (platformdirs), never under {app}: an upgrade or an uninstall
; leaves it alone. An upgrade (same AppId) first deletes the old {app}\_internal so no
; library of an older build is left behind.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "惠企政策直通车"
#define AppNameAscii "PolicyDesk"
#define SrcDir "..\dist\PolicyDesk"

[Setup]
; keep this AppId for every version: it is what makes a new installer an upgrade
AppId={{2807FC4E-A26F-4F18-A967-2E9A0EAB6202}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=PolicyDesk
DefaultDirName={autopf}\{#AppNameAscii}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; install for all users with admin rights, or for the current user without
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename={#AppNameAscii}-{#AppVersion}-setup
SetupIconFile=..\build\policydesk.ico
UninstallDisplayIcon={app}\policydesk-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; sign the installer and the uninstaller (see packaging/README.md), e.g.
; SignTool=signtool sign /fd sha256 /tr http://timestamp.example /td sha256 /f cert.pfx /p $p $f

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Simplified Chinese wizard: uncomment when your Inno Setup has Languages\ChineseSimplified.isl
; (recent versions ship it; otherwise take it from the Inno Setup translations page)
; Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; files of an older build that the new one no longer has
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SrcDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\policydesk-gui.exe"
Name: "{autoprograms}\{#AppName} 命令行"; Filename: "{cmd}"; Parameters: "/k ""cd /d ""{app}"" && policydesk.exe --help"""; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\policydesk-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\policydesk-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
