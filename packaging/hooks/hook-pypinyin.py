# matcher.common.text reads pypinyin's single-character table (pinyin_dict.json) from the package
# folder without importing pypinyin (its phrase tables load slowly), so the package must be
# named as a hidden import in the spec and its table bundled here. The phrase tables
# (phrases_dict.json, 2.5 MB) are not used.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("pypinyin", includes=["pinyin_dict.json"])
