// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// TokenBridgeMetaData contains all meta data concerning the TokenBridge contract.
var TokenBridgeMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"guardian\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"relayer\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"AlreadyReleased\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BridgeFrozen\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BridgeNotFrozen\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Frozen\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"uint256\",\"name\":\"destChainId\",\"type\":\"uint256\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"recipient\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"nonce\",\"type\":\"uint256\"}],\"name\":\"Locked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Released\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Unfrozen\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"GUARDIAN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"RELAYER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"freeze\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"frozen\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"destChainId\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"recipient\",\"type\":\"address\"}],\"name\":\"lock\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"lockNonce\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"release\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"released\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unfreeze\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "TokenBridge",
	Bin: "0x608060405234801561000f575f5ffd5b50604051610b34380380610b3483398101604081905261002e91610182565b6001600160a01b0383166100555760405163d92e233d60e01b815260040160405180910390fd5b61005f5f846100be565b5061008a7f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a5041836100be565b506100b57fe2b7fb3b832174769106daebcfd6d1970523240dda11281102db9363b83b0dc4826100be565b505050506101c2565b5f828152602081815260408083206001600160a01b038516845290915281205460ff1661015e575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556101163390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610161565b505f5b92915050565b80516001600160a01b038116811461017d575f5ffd5b919050565b5f5f5f60608486031215610194575f5ffd5b61019d84610167565b92506101ab60208501610167565b91506101b960408501610167565b90509250925092565b610965806101cf5f395ff3fe6080604052600436106100ef575f3560e01c806366dfbfb411610087578063a217fddf11610057578063a217fddf14610299578063a6d68ecd146102ac578063b5a9096e146102da578063d547741f146102ef575f5ffd5b806366dfbfb4146102205780636a28f0001461023357806391d1485414610247578063926d7d7f14610266575f5ffd5b80632d3ad0cb116100c25780632d3ad0cb146101ad5780632f2ff15d146101ce57806336568abe146101ed57806362a5af3b1461020c575f5ffd5b806301ffc9a7146100f3578063054f7d9c14610127578063248a9ca31461013e57806324ea54f41461017a575b5f5ffd5b3480156100fe575f5ffd5b5061011261010d36600461087a565b61030e565b60405190151581526020015b60405180910390f35b348015610132575f5ffd5b5060015460ff16610112565b348015610149575f5ffd5b5061016c6101583660046108a8565b5f9081526020819052604090206001015490565b60405190815260200161011e565b348015610185575f5ffd5b5061016c7f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504181565b3480156101b8575f5ffd5b506101cc6101c73660046108da565b610344565b005b3480156101d9575f5ffd5b506101cc6101e836600461090a565b6104c6565b3480156101f8575f5ffd5b506101cc61020736600461090a565b6104f0565b348015610217575f5ffd5b506101cc610528565b6101cc61022e36600461090a565b6105b9565b34801561023e575f5ffd5b506101cc610685565b348015610252575f5ffd5b5061011261026136600461090a565b6106ec565b348015610271575f5ffd5b5061016c7fe2b7fb3b832174769106daebcfd6d1970523240dda11281102db9363b83b0dc481565b3480156102a4575f5ffd5b5061016c5f81565b3480156102b7575f5ffd5b506101126102c63660046108a8565b60036020525f908152604090205460ff1681565b3480156102e5575f5ffd5b5061016c60025481565b3480156102fa575f5ffd5b506101cc61030936600461090a565b610714565b5f6001600160e01b03198216637965db0b60e01b148061033e57506301ffc9a760e01b6001600160e01b03198316145b92915050565b7fe2b7fb3b832174769106daebcfd6d1970523240dda11281102db9363b83b0dc461036e81610738565b60015460ff1615610392576040516301015e4760e21b815260040160405180910390fd5b6001600160a01b0384166103b95760405163d92e233d60e01b815260040160405180910390fd5b5f8281526003602052604090205460ff16156103f057604051633da4d47160e01b8152600481018390526024015b60405180910390fd5b5f8281526003602052604090819020805460ff19166001179055516001600160a01b0385169083907fc8fa66dff4b9073528c3f1bf21a8dc9a18fdf09847e88e96188bc953aef519f0906104479087815260200190565b60405180910390a35f846001600160a01b0316846040515f6040518083038185875af1925050503d805f8114610498576040519150601f19603f3d011682016040523d82523d5f602084013e61049d565b606091505b50509050806104bf576040516312171d8360e31b815260040160405180910390fd5b5050505050565b5f828152602081905260409020600101546104e081610738565b6104ea8383610745565b50505050565b6001600160a01b03811633146105195760405163334bd91960e11b815260040160405180910390fd5b61052382826107d4565b505050565b7f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504161055281610738565b60015460ff1615610576576040516301015e4760e21b815260040160405180910390fd5b6001805460ff1916811790556040513381527f8a5c4736a33c7b7f29a2c34ea9ff9608afc5718d56f6fd6dcbd2d3711a1a4913906020015b60405180910390a150565b60015460ff16156105dd576040516301015e4760e21b815260040160405180910390fd5b345f036105fd57604051631f2a200560e01b815260040160405180910390fd5b6001600160a01b0381166106245760405163d92e233d60e01b815260040160405180910390fd5b600280546001600160a01b03831691849133917f839301d49a1ea695b991657eb992fdd6280a423122f6d73152cd912b0fdb79709134915f61066583610934565b909155506040805192835260208301919091520160405180910390a45050565b5f61068f81610738565b60015460ff166106b2576040516341bd135b60e11b815260040160405180910390fd5b6001805460ff191690556040513381527f4feb53e305297ab8fb8f3420c95ea04737addc254a7270d8fc4605d2b9c61dba906020016105ae565b5f918252602082815260408084206001600160a01b0393909316845291905290205460ff1690565b5f8281526020819052604090206001015461072e81610738565b6104ea83836107d4565b610742813361083d565b50565b5f61075083836106ec565b6107cd575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556107853390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161033e565b505f61033e565b5f6107df83836106ec565b156107cd575f838152602081815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a450600161033e565b61084782826106ec565b6108765760405163e2517d3f60e01b81526001600160a01b0382166004820152602481018390526044016103e7565b5050565b5f6020828403121561088a575f5ffd5b81356001600160e01b0319811681146108a1575f5ffd5b9392505050565b5f602082840312156108b8575f5ffd5b5035919050565b80356001600160a01b03811681146108d5575f5ffd5b919050565b5f5f5f606084860312156108ec575f5ffd5b6108f5846108bf565b95602085013595506040909401359392505050565b5f5f6040838503121561091b575f5ffd5b8235915061092b602084016108bf565b90509250929050565b5f6001820161095157634e487b7160e01b5f52601160045260245ffd5b506001019056fea164736f6c6343000825000a",
}

// TokenBridge is an auto generated Go binding around an Ethereum contract.
type TokenBridge struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *TokenBridge) GetABI() abi.ABI {
	return c.abi
}

// NewTokenBridge creates a new instance of TokenBridge.
func NewTokenBridge() *TokenBridge {
	parsed, err := TokenBridgeMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &TokenBridge{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *TokenBridge) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address admin, address guardian, address relayer) returns()
func (tokenBridge *TokenBridge) PackConstructor(admin common.Address, guardian common.Address, relayer common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("", admin, guardian, relayer)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) PackDEFAULTADMINROLE() []byte {
	enc, err := tokenBridge.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return tokenBridge.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := tokenBridge.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) PackGUARDIANROLE() []byte {
	enc, err := tokenBridge.abi.Pack("GUARDIAN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) TryPackGUARDIANROLE() ([]byte, error) {
	return tokenBridge.abi.Pack("GUARDIAN_ROLE")
}

// UnpackGUARDIANROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x24ea54f4.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) UnpackGUARDIANROLE(data []byte) ([32]byte, error) {
	out, err := tokenBridge.abi.Unpack("GUARDIAN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackRELAYERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x926d7d7f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function RELAYER_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) PackRELAYERROLE() []byte {
	enc, err := tokenBridge.abi.Pack("RELAYER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRELAYERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x926d7d7f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function RELAYER_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) TryPackRELAYERROLE() ([]byte, error) {
	return tokenBridge.abi.Pack("RELAYER_ROLE")
}

// UnpackRELAYERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x926d7d7f.
//
// Solidity: function RELAYER_ROLE() view returns(bytes32)
func (tokenBridge *TokenBridge) UnpackRELAYERROLE(data []byte) ([32]byte, error) {
	out, err := tokenBridge.abi.Unpack("RELAYER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackFreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x62a5af3b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function freeze() returns()
func (tokenBridge *TokenBridge) PackFreeze() []byte {
	enc, err := tokenBridge.abi.Pack("freeze")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x62a5af3b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function freeze() returns()
func (tokenBridge *TokenBridge) TryPackFreeze() ([]byte, error) {
	return tokenBridge.abi.Pack("freeze")
}

// PackFrozen is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054f7d9c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function frozen() view returns(bool)
func (tokenBridge *TokenBridge) PackFrozen() []byte {
	enc, err := tokenBridge.abi.Pack("frozen")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFrozen is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054f7d9c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function frozen() view returns(bool)
func (tokenBridge *TokenBridge) TryPackFrozen() ([]byte, error) {
	return tokenBridge.abi.Pack("frozen")
}

// UnpackFrozen is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x054f7d9c.
//
// Solidity: function frozen() view returns(bool)
func (tokenBridge *TokenBridge) UnpackFrozen(data []byte) (bool, error) {
	out, err := tokenBridge.abi.Unpack("frozen", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (tokenBridge *TokenBridge) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := tokenBridge.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (tokenBridge *TokenBridge) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return tokenBridge.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (tokenBridge *TokenBridge) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := tokenBridge.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (tokenBridge *TokenBridge) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (tokenBridge *TokenBridge) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return tokenBridge.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (tokenBridge *TokenBridge) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (tokenBridge *TokenBridge) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return tokenBridge.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (tokenBridge *TokenBridge) UnpackHasRole(data []byte) (bool, error) {
	out, err := tokenBridge.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackLock is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x66dfbfb4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function lock(uint256 destChainId, address recipient) payable returns()
func (tokenBridge *TokenBridge) PackLock(destChainId *big.Int, recipient common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("lock", destChainId, recipient)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLock is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x66dfbfb4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function lock(uint256 destChainId, address recipient) payable returns()
func (tokenBridge *TokenBridge) TryPackLock(destChainId *big.Int, recipient common.Address) ([]byte, error) {
	return tokenBridge.abi.Pack("lock", destChainId, recipient)
}

// PackLockNonce is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb5a9096e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function lockNonce() view returns(uint256)
func (tokenBridge *TokenBridge) PackLockNonce() []byte {
	enc, err := tokenBridge.abi.Pack("lockNonce")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLockNonce is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb5a9096e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function lockNonce() view returns(uint256)
func (tokenBridge *TokenBridge) TryPackLockNonce() ([]byte, error) {
	return tokenBridge.abi.Pack("lockNonce")
}

// UnpackLockNonce is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xb5a9096e.
//
// Solidity: function lockNonce() view returns(uint256)
func (tokenBridge *TokenBridge) UnpackLockNonce(data []byte) (*big.Int, error) {
	out, err := tokenBridge.abi.Unpack("lockNonce", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2d3ad0cb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function release(address to, uint256 amount, bytes32 transferId) returns()
func (tokenBridge *TokenBridge) PackRelease(to common.Address, amount *big.Int, transferId [32]byte) []byte {
	enc, err := tokenBridge.abi.Pack("release", to, amount, transferId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2d3ad0cb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function release(address to, uint256 amount, bytes32 transferId) returns()
func (tokenBridge *TokenBridge) TryPackRelease(to common.Address, amount *big.Int, transferId [32]byte) ([]byte, error) {
	return tokenBridge.abi.Pack("release", to, amount, transferId)
}

// PackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa6d68ecd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (tokenBridge *TokenBridge) PackReleased(transferId [32]byte) []byte {
	enc, err := tokenBridge.abi.Pack("released", transferId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa6d68ecd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (tokenBridge *TokenBridge) TryPackReleased(transferId [32]byte) ([]byte, error) {
	return tokenBridge.abi.Pack("released", transferId)
}

// UnpackReleased is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa6d68ecd.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (tokenBridge *TokenBridge) UnpackReleased(data []byte) (bool, error) {
	out, err := tokenBridge.abi.Unpack("released", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (tokenBridge *TokenBridge) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (tokenBridge *TokenBridge) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return tokenBridge.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (tokenBridge *TokenBridge) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := tokenBridge.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (tokenBridge *TokenBridge) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return tokenBridge.abi.Pack("revokeRole", role, account)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (tokenBridge *TokenBridge) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := tokenBridge.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (tokenBridge *TokenBridge) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return tokenBridge.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (tokenBridge *TokenBridge) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := tokenBridge.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackUnfreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6a28f000.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unfreeze() returns()
func (tokenBridge *TokenBridge) PackUnfreeze() []byte {
	enc, err := tokenBridge.abi.Pack("unfreeze")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnfreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6a28f000.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unfreeze() returns()
func (tokenBridge *TokenBridge) TryPackUnfreeze() ([]byte, error) {
	return tokenBridge.abi.Pack("unfreeze")
}

// TokenBridgeFrozen represents a Frozen event raised by the TokenBridge contract.
type TokenBridgeFrozen struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TokenBridgeFrozenEventName = "Frozen"

// ContractEventName returns the user-defined event name.
func (TokenBridgeFrozen) ContractEventName() string {
	return TokenBridgeFrozenEventName
}

// UnpackFrozenEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Frozen(address account)
func (tokenBridge *TokenBridge) UnpackFrozenEvent(log *types.Log) (*TokenBridgeFrozen, error) {
	event := "Frozen"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeFrozen)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeLocked represents a Locked event raised by the TokenBridge contract.
type TokenBridgeLocked struct {
	Sender      common.Address
	DestChainId *big.Int
	Recipient   common.Address
	Amount      *big.Int
	Nonce       *big.Int
	Raw         *types.Log // Blockchain specific contextual infos
}

const TokenBridgeLockedEventName = "Locked"

// ContractEventName returns the user-defined event name.
func (TokenBridgeLocked) ContractEventName() string {
	return TokenBridgeLockedEventName
}

// UnpackLockedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Locked(address indexed sender, uint256 indexed destChainId, address indexed recipient, uint256 amount, uint256 nonce)
func (tokenBridge *TokenBridge) UnpackLockedEvent(log *types.Log) (*TokenBridgeLocked, error) {
	event := "Locked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeLocked)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeReleased represents a Released event raised by the TokenBridge contract.
type TokenBridgeReleased struct {
	TransferId [32]byte
	To         common.Address
	Amount     *big.Int
	Raw        *types.Log // Blockchain specific contextual infos
}

const TokenBridgeReleasedEventName = "Released"

// ContractEventName returns the user-defined event name.
func (TokenBridgeReleased) ContractEventName() string {
	return TokenBridgeReleasedEventName
}

// UnpackReleasedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Released(bytes32 indexed transferId, address indexed to, uint256 amount)
func (tokenBridge *TokenBridge) UnpackReleasedEvent(log *types.Log) (*TokenBridgeReleased, error) {
	event := "Released"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeReleased)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeRoleAdminChanged represents a RoleAdminChanged event raised by the TokenBridge contract.
type TokenBridgeRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const TokenBridgeRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (TokenBridgeRoleAdminChanged) ContractEventName() string {
	return TokenBridgeRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (tokenBridge *TokenBridge) UnpackRoleAdminChangedEvent(log *types.Log) (*TokenBridgeRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeRoleGranted represents a RoleGranted event raised by the TokenBridge contract.
type TokenBridgeRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TokenBridgeRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (TokenBridgeRoleGranted) ContractEventName() string {
	return TokenBridgeRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (tokenBridge *TokenBridge) UnpackRoleGrantedEvent(log *types.Log) (*TokenBridgeRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeRoleGranted)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeRoleRevoked represents a RoleRevoked event raised by the TokenBridge contract.
type TokenBridgeRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TokenBridgeRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (TokenBridgeRoleRevoked) ContractEventName() string {
	return TokenBridgeRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (tokenBridge *TokenBridge) UnpackRoleRevokedEvent(log *types.Log) (*TokenBridgeRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeRoleRevoked)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// TokenBridgeUnfrozen represents a Unfrozen event raised by the TokenBridge contract.
type TokenBridgeUnfrozen struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const TokenBridgeUnfrozenEventName = "Unfrozen"

// ContractEventName returns the user-defined event name.
func (TokenBridgeUnfrozen) ContractEventName() string {
	return TokenBridgeUnfrozenEventName
}

// UnpackUnfrozenEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unfrozen(address account)
func (tokenBridge *TokenBridge) UnpackUnfrozenEvent(log *types.Log) (*TokenBridgeUnfrozen, error) {
	event := "Unfrozen"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != tokenBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(TokenBridgeUnfrozen)
	if len(log.Data) > 0 {
		if err := tokenBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range tokenBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (tokenBridge *TokenBridge) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["AlreadyReleased"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackAlreadyReleasedError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["BridgeFrozen"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackBridgeFrozenError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["BridgeNotFrozen"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackBridgeNotFrozenError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], tokenBridge.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return tokenBridge.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// TokenBridgeAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the TokenBridge contract.
type TokenBridgeAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func TokenBridgeAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (tokenBridge *TokenBridge) UnpackAccessControlBadConfirmationError(raw []byte) (*TokenBridgeAccessControlBadConfirmation, error) {
	out := new(TokenBridgeAccessControlBadConfirmation)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the TokenBridge contract.
type TokenBridgeAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func TokenBridgeAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (tokenBridge *TokenBridge) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*TokenBridgeAccessControlUnauthorizedAccount, error) {
	out := new(TokenBridgeAccessControlUnauthorizedAccount)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeAlreadyReleased represents a AlreadyReleased error raised by the TokenBridge contract.
type TokenBridgeAlreadyReleased struct {
	TransferId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyReleased(bytes32 transferId)
func TokenBridgeAlreadyReleasedErrorID() common.Hash {
	return common.HexToHash("0x3da4d471dc7ed2bd40b0494adae76aec43aea8992cc497e9920dab681122a299")
}

// UnpackAlreadyReleasedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyReleased(bytes32 transferId)
func (tokenBridge *TokenBridge) UnpackAlreadyReleasedError(raw []byte) (*TokenBridgeAlreadyReleased, error) {
	out := new(TokenBridgeAlreadyReleased)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "AlreadyReleased", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeBridgeFrozen represents a BridgeFrozen error raised by the TokenBridge contract.
type TokenBridgeBridgeFrozen struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BridgeFrozen()
func TokenBridgeBridgeFrozenErrorID() common.Hash {
	return common.HexToHash("0x0405791c8c9804012d631ada261f9124bb5f2d25be98aeabc8955616af63dfe7")
}

// UnpackBridgeFrozenError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BridgeFrozen()
func (tokenBridge *TokenBridge) UnpackBridgeFrozenError(raw []byte) (*TokenBridgeBridgeFrozen, error) {
	out := new(TokenBridgeBridgeFrozen)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "BridgeFrozen", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeBridgeNotFrozen represents a BridgeNotFrozen error raised by the TokenBridge contract.
type TokenBridgeBridgeNotFrozen struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BridgeNotFrozen()
func TokenBridgeBridgeNotFrozenErrorID() common.Hash {
	return common.HexToHash("0x837a26b60433316e54497b39d0f31dab3d1c2513e3efa6aabe09de1ad594a1fe")
}

// UnpackBridgeNotFrozenError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BridgeNotFrozen()
func (tokenBridge *TokenBridge) UnpackBridgeNotFrozenError(raw []byte) (*TokenBridgeBridgeNotFrozen, error) {
	out := new(TokenBridgeBridgeNotFrozen)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "BridgeNotFrozen", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeTransferFailed represents a TransferFailed error raised by the TokenBridge contract.
type TokenBridgeTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func TokenBridgeTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (tokenBridge *TokenBridge) UnpackTransferFailedError(raw []byte) (*TokenBridgeTransferFailed, error) {
	out := new(TokenBridgeTransferFailed)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeZeroAddress represents a ZeroAddress error raised by the TokenBridge contract.
type TokenBridgeZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func TokenBridgeZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (tokenBridge *TokenBridge) UnpackZeroAddressError(raw []byte) (*TokenBridgeZeroAddress, error) {
	out := new(TokenBridgeZeroAddress)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// TokenBridgeZeroAmount represents a ZeroAmount error raised by the TokenBridge contract.
type TokenBridgeZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func TokenBridgeZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (tokenBridge *TokenBridge) UnpackZeroAmountError(raw []byte) (*TokenBridgeZeroAmount, error) {
	out := new(TokenBridgeZeroAmount)
	if err := tokenBridge.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
