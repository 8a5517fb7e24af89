; NSIS script for the PolicyDesk (惠企政策直通车) installer on Windows (64-bit, per user).
;
; Made by packaging/release.py (the Wine build on Linux and the Windows release job alike):
;     makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DSRCDIR=<dist\PolicyDesk> -DOUTFILE=<setup.exe>
;              [-DICON=<policydesk.ico>] packaging/windows/policydesk.nsi
; (NSIS 3.08+; on Windows the same options also work with a leading "/").
;
; What it does:
; - installs for the current user only, without administrator rights, into
;   %LOCALAPPDATA%\Programs\PolicyDesk (the user may choose another folder);
; - refuses, with a message that says why, on a system the app does not support: anything
;   older than 64-bit Windows 10 version 1903 (build 18362) — Qt 6.10+ needs that system's
;   icu.dll; Python 3.11 itself needs 8.1 — so nobody gets a program that does not start;
;   a silent install (/S) exits with code 3 instead of showing the message;
; - adds a Start-menu entry for the app and one for a command prompt in the install folder
;   (the policydesk command line), and an entry in Settings → Apps (uninstall);
; - an upgrade (a newer installer over an older install) first removes the old _internal
;   folder so no library of the older build is left behind;
; - the uninstaller removes exactly what was installed. User data — imported documents,
;   corrections, saved profiles, the knowledge-base cache — lives in %LOCALAPPDATA%\PolicyDesk
;   (never in the install folder) and is kept.

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef SRCDIR
  !error "pass -DSRCDIR=<the built PolicyDesk folder>"
!endif
!ifndef OUTFILE
  !define OUTFILE "PolicyDesk-${VERSION}-windows-x64-setup.exe"
!endif

!define APPNAME "惠企政策直通车"
!define APPKEY "PolicyDesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPKEY}"
!define MIN_BUILD 18362 ; Windows 10 version 1903

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPKEY}"
InstallDirRegKey HKCU "Software\${APPKEY}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APPNAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "PolicyDesk"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\policydesk-gui.exe"
!define MUI_FINISHPAGE_RUN_TEXT "启动${APPNAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  SetShellVarContext current
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "${APPNAME}需要 64 位的 Windows 10(1903 版或更高)或 Windows 11。$\r$\n这台电脑的 Windows 是 32 位的,本程序无法在上面运行,安装已取消。" /SD IDOK
    SetErrorLevel 3
    Quit
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} ${MIN_BUILD}
    ${WinVerGetMajor} $0
    ${WinVerGetMinor} $1
    ${WinVerGetBuild} $2
    MessageBox MB_ICONSTOP|MB_OK "${APPNAME}需要 64 位的 Windows 10(1903 版,内部版本 ${MIN_BUILD})或更高版本,或 Windows 11。$\r$\n这台电脑的 Windows 版本是 $0.$1(内部版本 $2),本程序无法在上面运行,安装已取消。$\r$\n请先升级 Windows,或换一台电脑安装。" /SD IDOK
    SetErrorLevel 3
    Quit
  ${EndIf}
FunctionEnd

Section "Install"
  SetShellVarContext current
  ; an upgrade: no library of the older build may stay behind
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SRCDIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\policydesk-gui.exe" "" "$INSTDIR\policydesk-gui.exe" 0
  CreateShortCut "$SMPROGRAMS\${APPNAME} 命令行.lnk" "$SYSDIR\cmd.exe" '/k cd /d "$INSTDIR" && policydesk.exe --help' "$INSTDIR\policydesk.exe" 0

  WriteRegStr HKCU "Software\${APPKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "PolicyDesk"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\policydesk-gui.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME} 命令行.lnk"
  ; exactly what the installer put here: never a recursive delete of a folder the user chose
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\policydesk-gui.exe"
  Delete "$INSTDIR\policydesk.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "Software\${APPKEY}"
  DetailPrint "您的数据(导入的文件、更正、保存的企业画像)保留在 $LOCALAPPDATA\PolicyDesk;不再需要时可手动删除该文件夹。"
SectionEnd
