; Inno Setup script for the Regulars installer on Windows. UNTESTED until a Windows machine builds it:
; see installer/README.md. installer/build.py runs it after PyInstaller when ISCC.exe is on PATH:
;   iscc /DAppVersion=0.1.0 installer\windows\regulars.iss     ->  dist\Regulars-0.1.0-setup.exe
; Per-user by default (no administrator needed on the shop's PC); an administrator may choose all users.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z regulars.iss
#endif

[Setup]
AppId={{6F1E2B1C-5D7A-4E0B-9E55-3B1B8C2A7D10}
AppName=Regulars
AppVersion={#AppVersion}
AppPublisher=Regulars
AppComments=The customer book beside the till
DefaultDirName={autopf}\Regulars
DefaultGroupName=Regulars
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=Regulars-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\regulars.exe
; The shop files live in %APPDATA%\Regulars and are never touched by installing or uninstalling.

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ptbr"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"
Name: "pt"; MessagesFile: "compiler:Languages\Portuguese.isl"
Name: "nl"; MessagesFile: "compiler:Languages\Dutch.isl"
Name: "el"; MessagesFile: "compiler:Languages\Greek.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\Regulars\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Regulars"; Filename: "{app}\regulars.exe"
Name: "{autodesktop}\Regulars"; Filename: "{app}\regulars.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\regulars.exe"; Description: "{cm:LaunchProgram,Regulars}"; Flags: nowait postinstall skipifsilent
