; Inno Setup script: a per-user installer for the one-folder bundle (no administrator rights needed).
;
;   iscc /DAppVersion=0.1.0 /DBundleDir=..\dist\networked-councillor packaging\installer.iss
;
; Installs under %LOCALAPPDATA%\Programs\Networked Councillor, adds a Start-menu entry, and uninstalls cleanly.
; The councillor's data (%LOCALAPPDATA%\networked-councillor) is kept on uninstall unless they ask for it to go
; (or council IT passes /DELETEDATA=yes to a silent uninstall).
;
; Silent install for council IT (Intune, SCCM):   NetworkedCouncillor-Setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Silent uninstall:                               unins000.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\networked-councillor"
#endif

[Setup]
AppId={{6F1D1E57-7B8A-4C55-9A51-2C8E1B0F4A11}
AppName=Networked Councillor
AppVersion={#AppVersion}
AppPublisher=Networked Councillor contributors
AppPublisherURL=https://github.com/networked-councillor/networked-councillor
DefaultDirName={localappdata}\Programs\Networked Councillor
DefaultGroupName=Networked Councillor
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=NetworkedCouncillor-{#AppVersion}-Setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\networked-councillor.exe
CloseApplications=yes

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Networked Councillor"; Filename: "{app}\networked-councillor.exe"
Name: "{userprograms}\Networked Councillor (training)"; Filename: "{app}\networked-councillor.exe"; Parameters: "--training"

[Run]
Filename: "{app}\networked-councillor.exe"; Description: "Open Networked Councillor"; Flags: nowait postinstall skipifsilent

[Code]
function DeleteDataParam(): Boolean;
begin
  Result := CompareText(ExpandConstant('{param:DELETEDATA|no}'), 'yes') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\networked-councillor');
    if not DirExists(DataDir) then
      exit;
    if DeleteDataParam() or ((not UninstallSilent()) and (MsgBox(
        'Also delete your Networked Councillor data (posts, casework, drafts) from this computer?' + #13#10 +
        'Choose No to keep it for a later install.', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES)) then
      DelTree(DataDir, True, True, True);
  end;
end;
