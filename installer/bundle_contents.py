"""What goes into the one-folder bundle and what stays out (read by installer/regulars.spec).

Kept apart from the spec so that tests/packaging/test_bundle_contents.py can check it against the
modules Regulars imports: a Qt module left out here but used by the app would break only the bundle.
"""

from __future__ import annotations

import sys

# Everything of PySide6 that Regulars does not import: Qt's libraries for these never enter the folder.
# (PySide6-Essentials has no WebEngine, 3D or Multimedia at all; they are listed in case a build
# environment has PySide6-Addons.)
UNUSED_QT = [
    f"PySide6.{name}"
    for name in (
        "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtBluetooth",
        "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs", "QtHelp",
        "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth",
        "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPositioning", "QtQml", "QtQuick",
        "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
        "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg",
        "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore",
        "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
    )
]
UNUSED_PYTHON = [
    "tkinter", "unittest", "pydoc", "pytest", "IPython", "matplotlib", "numpy", "PyInstaller", "readline",
    "setuptools", "pkg_resources", "alembic.testing",
    # Regulars reads and formats numbers; it never asks where a number is from, its carrier or time zone
    # (22 MB of place names).
    "phonenumbers.geocoder", "phonenumbers.geodata", "phonenumbers.carrier", "phonenumbers.carrierdata",
    "phonenumbers.timezone", "phonenumbers.tzdata",
    # A shop's logo is PNG or JPEG; AVIF support alone is 5 MB.
    "PIL._avif", "PIL.AvifImagePlugin",
]


# Qt plug-ins a till never uses: the GTK theme (it drags GTK, Cairo and Pango along; Qt's own Fusion
# style is used instead), kiosk and embedded platforms, touch-screen input, SVG.
UNUSED_QT_PLUGINS = (
    "platformthemes/libqgtk3", "platforms/libqeglfs", "platforms/libqlinuxfb", "platforms/libqminimalegl",
    "platforms/libqvkkhrdisplay", "platforms/libqvnc", "egldeviceintegrations/", "generic/", "iconengines/libqsvg",
    "imageformats/libqsvg", "imageformats/libqicns", "libQt6EglFS", "libQt6Svg",
)
# Qt's own texts (standard dialogs) only in the shops' languages.
QT_LANGUAGES = ("en", "pt", "pt_BR", "nl", "el")
# Libraries every Linux desktop has, which must come from the system rather than the folder (their
# configuration, fonts and servers belong to the system; bundled copies clash with them). The
# README's Linux section names the packages. Python's own (libssl, libcrypto, libffi, libsqlite3)
# and Qt's (ICU) stay in the folder.
DESKTOP_LIBRARIES = (
    "libX", "libxcb", "libxkbcommon", "libfontconfig", "libfreetype", "libglib-", "libgio-", "libgobject-",
    "libgmodule-", "libdbus-1", "libcups", "libgnutls", "libkrb5", "libgssapi", "libk5crypto", "libcom_err",
    "libsystemd", "libavahi", "libp11-kit", "libgcrypt", "libgpg-error", "libidn2", "libunistring", "libtasn1",
    "libnettle", "libhogweed", "libgmp", "libmount", "libblkid", "libselinux", "libpcre2", "libbz2", "liblzma",
    "libzstd", "liblz4", "libpng16", "libjpeg", "libbrotli", "libcap", "libmd.", "libbsd", "libreadline",
    "libtinfo", "libEGL", "libGL", "libOpenGL", "libdrm", "libgbm", "libwayland", "libharfbuzz", "libgraphite2",
    "libpango", "libcairo", "libgtk", "libgdk", "libatk", "libatspi", "libepoxy", "libpixman", "libfribidi",
    "libthai", "libdatrie", "libkeyutils", "libresolv", "libstdc++", "libgcc_s",
)


def wanted(entry) -> bool:
    name = entry[0].replace("\\", "/")
    base = name.rsplit("/", 1)[-1]
    if any(part in name for part in UNUSED_QT_PLUGINS):
        return False
    if "/Qt/translations/" in name and base.endswith(".qm"):
        return base.split("_", 1)[1][:-3] in QT_LANGUAGES
    if sys.platform.startswith("linux") and "/" not in name:
        return not base.startswith(DESKTOP_LIBRARIES)
    return True


