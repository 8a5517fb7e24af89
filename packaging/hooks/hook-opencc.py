# OpenCC's conversion tables (clib/share/opencc/*.json, *.ocd2), found next to the package
# at run time; the contrib hook would also bundle its headers, static libraries and tools.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("opencc", includes=["clib/share/opencc/*"])
hiddenimports = ["opencc.clib.opencc_clib"]
